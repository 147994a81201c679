// `trickle register`: registers this worker with an orchestrator (byoc or live-runner), or prints a static entry.
import { Command } from 'commander';
import { addCommonOptions, defineAction, withExamples, type CommandContext } from '../command.js';
import { addRegistrationExtras, checkApiToken, REGISTRATION_SPECS, resolveRegistration, resolveRunnerFields, type RegistrationSettings } from '../registration-settings.js';
import { keepRegistered, registerOnce } from '../../register/register.js';
import { staticRunnersJson } from '../../register/live-runner/static.js';
import { gpuInfo } from '../../hardware/gpu.js';
import { packageVersion } from '../../worker/system-routes.js';
import { TrickleError } from '../../errors.js';
import { scrub } from '../../config/redact.js';
import type { LiveRunnerGpu } from '../../register/live-runner/wire.js';

const MORE = `
Modes:
  byoc         POST {ORCH_URL}/capability/register (PyTrickle-compatible); 3 attempts 2 s apart;
               a 400 means the orchestrator refused the secret or the fields (exit 4). Sends
               --api-token as the capability's token: the orchestrator then calls the worker
               with "Authorization: Bearer <token>". Unregisters on exit.
  live-runner  POST {ORCH_URL}/runners/heartbeat with the orchestrator secret, then heartbeats
               with the returned heartbeat_secret at the returned heartbeat_interval; a 404
               registers again under the same runner id. POST {ORCH_URL}/runners/{id}/unregister
               on exit. --print-static prints the runners.json entry for -liveRunnerConfig
               instead (static registration: the orchestrator polls /health).

Prices: byoc --price-per-unit is an integer in --price-currency (default wei). live-runner
--price-per-unit is a decimal in usd per --price-unit (hour, 720p or fixed); an on-chain
orchestrator refuses a price that is not positive, an off-chain one ignores it.

Environment: ORCH_URL, ORCH_SECRET, ORCH_SECRET_FILE, CAPABILITY_NAME, CAPABILITY_DESCRIPTION,
CAPABILITY_URL, CAPABILITY_CAPACITY, CAPABILITY_PRICE_PER_UNIT, CAPABILITY_PRICE_SCALING,
CAPABILITY_PRICE_CURRENCY, CAPABILITY_PRICE_UNIT, TRICKLE_REGISTER_MODE, TRICKLE_RUNNER_ID,
TRICKLE_RUNNER_APP, TRICKLE_RUNNER_METADATA, TRICKLE_RUNNER_PROXY, TRICKLE_API_TOKEN,
TRICKLE_INSECURE.
Exit codes: 0 registered (--once) or unregistered after a signal (130/143); 2 missing or bad
setting; 4 the orchestrator refused the registration; 1 orchestrator unreachable.
`;

/** The first GPU nvidia-smi reports, in the shape go-livepeer's LiveRunnerGPU has. */
export async function firstGpu(): Promise<LiveRunnerGpu | undefined> {
  const gpus = Object.values(await gpuInfo());
  return gpus[0] ? { id: gpus[0].id, name: gpus[0].name, vram_mb: Math.round(gpus[0].memory_total / 1048576) } : undefined;
}

async function printStatic(ctx: CommandContext, s: RegistrationSettings): Promise<number> {
  if (s.mode !== 'live-runner') throw new TrickleError('TRICKLE_USAGE', '--print-static goes with --mode live-runner');
  if (!s.url) throw new TrickleError('TRICKLE_USAGE', '--print-static needs --url (or CAPABILITY_URL): where the orchestrator reaches this worker');
  const fields = resolveRunnerFields(ctx, s, { version: packageVersion(), defaultUrl: s.url });
  process.stdout.write(staticRunnersJson({ ...fields, name: s.name, capacity: s.capacity, gpu: await firstGpu() }) + '\n');
  return 0;
}

export function registerCommand(): Command {
  const cmd = new Command('register')
    .description('register this worker with a Livepeer orchestrator')
    .option('--mode <mode>', 'byoc (default) or live-runner')
    .option('--orch-url <url>', 'orchestrator URL (ORCH_URL)')
    .option('--orch-secret <secret>', 'orchestrator secret (ORCH_SECRET)')
    .option('--orch-secret-file <file>', 'read the orchestrator secret from a file')
    .option('--name <name>', 'capability name / runner label (CAPABILITY_NAME)')
    .option('--description <text>', 'capability description (CAPABILITY_DESCRIPTION)')
    .option('--url <url>', 'URL the orchestrator reaches this worker at (CAPABILITY_URL)')
    .option('--capacity <n>', 'concurrent streams (CAPABILITY_CAPACITY)')
    .option('--price-per-unit <n>', 'price per unit (CAPABILITY_PRICE_PER_UNIT)')
    .option('--price-scaling <n>', 'byoc price scaling (CAPABILITY_PRICE_SCALING)')
    .option('--api-token <token>', "byoc: the worker's API token, sent as the capability's token (TRICKLE_API_TOKEN)")
    .option('--print-static', 'live-runner: print the runners.json entry for static registration and exit')
    .option('--once', 'register and exit (0 ok, 4 rejected)')
    .option('--insecure', 'do not verify the orchestrator TLS certificate');
  addRegistrationExtras(cmd);
  addCommonOptions(cmd);
  cmd.addHelpText('after', MORE);
  withExamples(
    cmd,
    'ORCH_URL=https://orch:9995 ORCH_SECRET=… trickle register --name my-filter --url http://worker:8080 --once',
    'trickle register --mode live-runner --orch-url https://orch:9995 --orch-secret-file /run/secrets/orch --url http://worker:8080 --price-per-unit 0.05',
    'trickle register --mode live-runner --print-static --url http://worker:8080 --price-per-unit 0.05 > runners.json',
  );
  return defineAction(cmd, 'register', async (ctx) => {
    const s = ctx.settings<RegistrationSettings & { once: boolean; printStatic: boolean; apiToken?: string }>([
      { key: 'mode', type: 'string', env: ['TRICKLE_REGISTER_MODE'], default: 'byoc', flag: '--mode' },
      { key: 'once', type: 'boolean', default: false, flag: '--once' },
      { key: 'printStatic', type: 'boolean', default: false, flag: '--print-static' },
      { key: 'apiToken', type: 'string', env: ['TRICKLE_API_TOKEN'], flag: '--api-token' },
      ...REGISTRATION_SPECS,
    ]);
    if (s.printStatic) return printStatic(ctx, s);
    const token = checkApiToken(ctx, s.apiToken);
    const reg = resolveRegistration(ctx, s, { version: packageVersion(), defaultUrl: 'http://localhost:8080' });
    const opts = {
      ...reg,
      token,
      log: ctx.log,
      signal: ctx.signal,
      gpu: reg.mode === 'live-runner' ? await firstGpu() : undefined,
    };
    if (s.once) {
      const r = await registerOnce(reg.mode, opts);
      process.stderr.write(scrub(`registered ${reg.name} with ${reg.orchUrl} (${reg.mode}${r.runnerId ? `, runner ${r.runnerId}` : ''})\n`, []));
      return 0;
    }
    const registration = keepRegistered({ ...opts, mode: reg.mode });
    try {
      await registration.done;
    } finally {
      await registration.close();
    }
  });
}
