// `trickle serve`: the worker HTTP API that orchestrators drive (optionally registering itself).
import { Command } from 'commander';
import { addCommonOptions, defineAction, withExamples } from '../command.js';
import { addRegistrationExtras, checkApiToken, REGISTRATION_SPECS, resolveRegistration, type RegistrationSettings } from '../registration-settings.js';
import { eventIntervals } from '../event-intervals.js';
import { addLimitOptions, limitSettingSpecs, limitsFromSettings } from '../limit-options.js';
import { addMediaOptions, mediaFromSettings, mediaSettingSpecs } from '../media-options.js';
import { addOperatorOptions, loadingMode, operatorSettingSpecs, type OperatorSettings } from '../operator-options.js';
import { TrickleError } from '../../errors.js';
import { prepareStream } from '../../stream/prepare.js';
import { createWorker } from '../../worker/server.js';
import { packageVersion } from '../../worker/system-routes.js';
import { keepRegistered, type Registration } from '../../register/register.js';
import { SessionCallbacks } from '../../register/live-runner/sessions.js';
import { firstGpu } from './register.js';

const MORE = `
Routes (PyTrickle-compatible, also under /api/stream/*):
  POST /stream/start, /live-video-to-video   start a stream (503 while LOADING or at capacity)
  POST /stream/stop, /stream/params          address a stream with X-Stream-Id (or
                                             gateway_request_id / stream_id in the body)
  GET  /stream/status, /health, /version, /app-version, /hardware/info, /hardware/stats
  GET  /metrics                              Prometheus text: per stream (stream_id) and worker
States: LOADING (processor load() running) → IDLE → OK (streams active); ERROR if load() failed
or every running stream is in ERROR. /health answers 200 while IDLE or OK, 503 otherwise.
Each stream has its own state (LOADING, ONLINE, DEGRADED_INPUT, DEGRADED_INFERENCE, ERROR,
OFFLINE) in /stream/status, its status events and /metrics.

Orchestrator sessions (live runners): a request carrying Livepeer-Session-Id/-Token/-Control and
Livepeer-Runner-Route belongs to a session; /stream/start may then leave out the channel URLs and
the worker creates in/out/control/events/data through the orchestrator, answering their public
URLs under "channels". A session the orchestrator releases (O2R) stops at once; a stream that
ends by itself deletes its channels and releases its session.

Environment: TRICKLE_SERVE_HOST, TRICKLE_SERVE_PORT, TRICKLE_PROCESSOR, TRICKLE_CAPACITY
(or CAPABILITY_CAPACITY), TRICKLE_API_TOKEN, TRICKLE_REGISTER, TRICKLE_DEVICE, TRICKLE_FFMPEG,
PIPELINE, CAPABILITY_NAME; with --register also everything \`trickle register --help\` lists.
`;

interface ServeSettings extends RegistrationSettings, OperatorSettings {
  host: string;
  port: number;
  processor?: string;
  apiToken?: string;
  register?: string;
  device: string;
  ffmpeg?: string;
  pipeline: string;
  appVersion: string;
}

function waitForSignal(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export function serveCommand(): Command {
  const cmd = new Command('serve')
    .description('run the worker HTTP API (PyTrickle-compatible) for an orchestrator')
    .option('--host <host>', 'address to listen on (default 0.0.0.0)')
    .option('--port <port>', 'port to listen on (default 8080; 0 picks a free one)')
    .option('--processor <name|path>', 'processor every stream runs')
    .option('--capacity <n>', 'concurrent streams (default 1)')
    .option('--api-token <token>', 'require this bearer token on every route but /health (byoc: registered as the capability token)')
    .option('--register <mode>', 'also register with an orchestrator: byoc or live-runner')
    .option('--device <device>', 'auto, cpu or cuda[:N] for model processors')
    .option('--ffmpeg <path>', 'ffmpeg binary to use')
    .option('--orch-url <url>', 'with --register: orchestrator URL (ORCH_URL)')
    .option('--orch-secret-file <file>', 'with --register: read the orchestrator secret from a file (or ORCH_SECRET)')
    .option('--name <name>', 'with --register: capability name (CAPABILITY_NAME)')
    .option('--description <text>', 'with --register: capability description')
    .option('--url <url>', 'with --register: URL the orchestrator reaches this worker at (CAPABILITY_URL)')
    .option('--price-per-unit <n>', 'with --register: price per unit')
    .option('--price-scaling <n>', 'with --register: price scaling')
    .option('--insecure', 'with --register: do not verify the orchestrator TLS certificate');
  addOperatorOptions(addLimitOptions(addMediaOptions(cmd, 'serve')), 'serve');
  addRegistrationExtras(cmd);
  addCommonOptions(cmd);
  cmd.addHelpText('after', MORE);
  withExamples(
    cmd,
    'trickle serve --processor red-tint --port 8080',
    'TRICKLE_API_TOKEN=s3cret trickle serve --processor ./my-filter.js --capacity 2',
    'ORCH_URL=https://orch:9995 ORCH_SECRET=… trickle serve --processor red-tint --register byoc --url http://worker:8080',
  );
  return defineAction(cmd, 'serve', async (ctx) => {
    const s = ctx.settings<ServeSettings>([
      { key: 'host', type: 'string', env: ['TRICKLE_SERVE_HOST'], default: '0.0.0.0', flag: '--host' },
      { key: 'port', type: 'int', env: ['TRICKLE_SERVE_PORT'], default: 8080, flag: '--port' },
      { key: 'processor', type: 'string', env: ['TRICKLE_PROCESSOR'], flag: '--processor' },
      { key: 'apiToken', type: 'string', env: ['TRICKLE_API_TOKEN'], flag: '--api-token' },
      { key: 'register', type: 'string', env: ['TRICKLE_REGISTER'], flag: '--register' },
      { key: 'device', type: 'string', env: ['TRICKLE_DEVICE'], default: 'auto', flag: '--device' },
      { key: 'ffmpeg', type: 'string', env: ['TRICKLE_FFMPEG'], flag: '--ffmpeg' },
      { key: 'pipeline', type: 'string', env: ['PIPELINE'], default: 'byoc' },
      { key: 'appVersion', type: 'string', env: ['TRICKLE_APP_VERSION'], default: '0.0.1' },
      ...mediaSettingSpecs('serve'),
      ...limitSettingSpecs(),
      ...operatorSettingSpecs('serve'),
      ...REGISTRATION_SPECS.map((spec) => (spec.key === 'capacity' ? { ...spec, env: ['TRICKLE_CAPACITY', 'CAPABILITY_CAPACITY'] } : spec)),
      { key: 'mode', type: 'string', default: 'byoc' },
    ]);
    const apiToken = checkApiToken(ctx, s.apiToken);
    const loading = loadingMode(s);
    if (!s.processor) throw new TrickleError('TRICKLE_USAGE', 'no processor: set --processor NAME|PATH (or TRICKLE_PROCESSOR)');
    if (s.port < 0 || s.port > 65535) throw new TrickleError('TRICKLE_USAGE', `--port must be between 0 and 65535, got ${s.port}`);
    if (!(s.capacity >= 1)) throw new TrickleError('TRICKLE_USAGE', `--capacity must be at least 1, got ${s.capacity}`);
    // Import now so a missing processor is a usage error; load() runs in the background while the worker is LOADING.
    const prepared = await prepareStream(
      { processor: s.processor, device: s.device, media: mediaFromSettings(s, 'serve'), limits: limitsFromSettings(s) },
      { ffmpegPath: s.ffmpeg, env: ctx.env, log: ctx.log },
    );
    const reg = s.register
      ? resolveRegistration(ctx, { ...s, mode: s.register }, { processor: prepared.processor.name, version: packageVersion(), defaultUrl: `http://localhost:${s.port}` })
      : undefined;
    let registration: Registration | undefined;
    const sessions = new SessionCallbacks({ log: ctx.log, insecure: s.insecure, fallbackBase: () => registration?.orchestratorUrl() });
    const worker = await createWorker({
      host: s.host,
      port: s.port,
      capacity: s.capacity,
      apiToken,
      sessions,
      log: ctx.log,
      ffmpeg: prepared.ffmpeg,
      device: prepared.spec.device,
      media: prepared.spec.media,
      limits: prepared.spec.limits,
      internal: eventIntervals(ctx.env),
      loading,
      pipelineName: s.pipeline,
      modelId: reg?.name ?? ctx.env.CAPABILITY_NAME ?? ctx.env.MODEL_ID ?? '',
      appVersion: s.appVersion,
      processor: async () => {
        await prepared.startLoad();
        return prepared.processor;
      },
    });
    // The one line scripts and tests parse the URL from (an NDJSON record under --log-format json).
    // On a terminal a spinner runs while the processor loads; the listening line follows it.
    const listening = `trickle serve listening on ${worker.url}`;
    if (ctx.format === 'json') ctx.log.info(listening, { url: worker.url });
    else if (!ctx.interactive) process.stderr.write(`${listening}\n`);
    else {
      const live = ctx.live(`loading ${prepared.processor.name ?? s.processor} (listening on ${worker.url})`);
      const since = performance.now();
      worker.loaded.then(
        () => live.succeed(`${listening} · ${prepared.processor.name ?? s.processor} loaded in ${((performance.now() - since) / 1000).toFixed(1)} s`),
        () => live.fail(`${listening} · the processor failed to load (the worker is in ERROR)`),
      );
    }

    if (reg) {
      registration = keepRegistered({
        ...reg,
        url: s.url ?? `http://localhost:${worker.port}`,
        token: apiToken,
        log: ctx.log,
        signal: ctx.signal,
        gpu: reg.mode === 'live-runner' ? await firstGpu() : undefined,
        // byoc has no readiness field: register once load() finished (never, when it failed).
        ready: worker.loaded.catch(() => new Promise<void>(() => {})),
        readiness: () => worker.readiness(),
        onSessions: (ids) => worker.reconcileSessions(ids),
        onReleased: (id) => void worker.stopSession(id),
      });
      worker.onStateChange(() => registration?.nudge());
      worker.setRegistration('registering');
      const current = registration;
      current.registered.then(() => worker.setRegistration('registered'), () => undefined);
      current.done.catch(() => worker.setRegistration('failed'));
    }
    let failure: unknown;
    try {
      const ended = [waitForSignal(ctx.signal)];
      if (registration) ended.push(registration.done.then(() => waitForSignal(ctx.signal)));
      await Promise.race(ended);
    } catch (err) {
      failure = err;
    }
    prepared.abort();
    // Unregister first so the orchestrator stops routing here, then end every stream gracefully.
    await registration?.close();
    await worker.close();
    if (failure) throw failure;
  });
}
