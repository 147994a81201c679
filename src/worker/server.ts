// createWorker: the worker HTTP API behind `trickle serve` (routes, auth, readiness, streams).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { availableParallelism } from 'node:os';
import type { AddressInfo, Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { FieldError, TrickleError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { threadsPerStream } from '../media/encoder-args.js';
import type { FfmpegLocation } from '../media/ffmpeg.js';
import type { MediaSettings } from '../media/settings.js';
import type { DeviceSpec, ProcessorDefinition } from '../processor/types.js';
import { resolveParams } from '../processor/params.js';
import type { PipelineInternalOptions } from '../pipeline/types.js';
import type { StreamLimits } from '../stream/limits.js';
import { beginLoad } from '../stream/prepare.js';
import { sendError } from './replies.js';
import { WorkerState, type ReportedStatus } from './state.js';
import { STREAM_ROUTES } from './stream-routes.js';
import { StreamManager, type PipelineFactory, type WorkerStream } from './streams.js';
import { systemRoutes } from './system-routes.js';
import { SessionReconciler } from './reconcile.js';
import { SessionCallbacks } from '../register/live-runner/sessions.js';
import type { RunnerReadiness } from '../register/types.js';
import type { LoadingMode } from '../image/loading-overlay.js';
import { createMetrics, nvidiaGpus, stageSeconds, streamView, type RegistrationState } from '../metrics/registry.js';

export interface WorkerOptions {
  host?: string;
  port?: number;
  /** A ready processor, or a function that imports it and runs its load() (the worker is LOADING meanwhile). */
  processor: ProcessorDefinition | (() => Promise<ProcessorDefinition>);
  /** Concurrent streams (default 1). */
  capacity?: number;
  /** When set, every route but /health needs `Authorization: Bearer <apiToken>`. */
  apiToken?: string;
  log?: Logger;
  ffmpeg?: FfmpegLocation;
  device?: DeviceSpec;
  /** Every stream's media settings (its params fill in size and frame-rate cap); threads auto: the cores shared out over `capacity`. */
  media?: Partial<MediaSettings>;
  /** Every stream's limits: frame timeout, hang limit, input timeout, largest frame (defaults for what is unset). */
  limits?: Partial<StreamLimits>;
  /** Every stream's knobs for tests (event intervals …). */
  internal?: PipelineInternalOptions;
  /** What a stream's output shows while the processor restarts (default overlay). */
  loading?: LoadingMode;
  /** The pipeline factory (default: the real createPipeline, imported lazily). */
  createPipeline?: PipelineFactory;
  /** /version "pipeline" (default "byoc"). */
  pipelineName?: string;
  /** /version "model_id" (default ""). */
  modelId?: string;
  /** /app-version (default "0.0.1"). */
  appVersion?: string;
  nvidiaSmi?: string;
  /** Orchestrator sessions: reads their headers and makes their channels (default: calls back where the headers say). */
  sessions?: SessionCallbacks;
}

export interface Worker {
  url: string;
  port: number;
  readonly state: ReportedStatus;
  /** The active streams (registration reports their ids). */
  streams(): readonly WorkerStream[];
  /** Resolves when load() finished (rejects when it failed). */
  readonly loaded: Promise<void>;
  /** Called on every readiness / stream-count change. */
  onStateChange(listener: (status: ReportedStatus) => void): () => void;
  /** The orchestrator sessions running here (streams started through a session). */
  sessionIds(): string[];
  /** What a live runner's heartbeat reports: routable status, free capacity, sessions. */
  readiness(): RunnerReadiness;
  /** Applies the orchestrator's session list (live-runner heartbeat reply). */
  reconcileSessions(ids: readonly string[]): void;
  /** The orchestrator released a session: its streams stop now. */
  stopSession(sessionId: string): Promise<number>;
  /** Registration with an orchestrator, as /metrics reports it (default none). */
  setRegistration(state: RegistrationState): void;
  /** Stops every stream gracefully, then the server. Idempotent. */
  close(): Promise<void>;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1].trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function defaultFactory(): Promise<PipelineFactory> {
  // Lazy: the pipeline (and its ffmpeg plumbing) loads only when a worker starts.
  const mod = await import('../pipeline/pipeline.js');
  return mod.createPipeline;
}

/** Starts the worker API; resolves once it listens (the processor may still be loading). */
export async function createWorker(opts: WorkerOptions): Promise<Worker> {
  const log = opts.log ?? silentLogger;
  const capacity = Math.max(1, Math.floor(opts.capacity ?? 1));
  const threads = opts.media?.threads && opts.media.threads !== 'auto' ? opts.media.threads : String(threadsPerStream(availableParallelism(), capacity));
  const media = { ...opts.media, threads };
  let processor: ProcessorDefinition | undefined = typeof opts.processor === 'function' ? undefined : opts.processor;
  let factory = opts.createPipeline;
  let streams: StreamManager;
  const state = new WorkerState(
    () => streams.count,
    () => streams.list().map((s) => s.pipeline.stats().health),
  );
  // GPU series only where nvidia-smi answers (asked once here, then at every scrape).
  const hasGpu = (await nvidiaGpus(opts.nvidiaSmi)).length > 0;
  let loadSeconds: number | undefined;
  let registration: RegistrationState = 'none';
  const metrics = createMetrics({
    streams: () => streams.list().map((s) => streamView(s.id, s.pipeline.stats())),
    worker: () => ({ status: state.status, capacity, loadSeconds, registration }),
    gpus: hasGpu ? () => nvidiaGpus(opts.nvidiaSmi) : undefined,
  });
  const sessions = opts.sessions ?? new SessionCallbacks({ log });
  streams = new StreamManager({
    capacity,
    createPipeline: (o) => factory!(o),
    processor: () => processor!,
    log,
    ffmpeg: opts.ffmpeg,
    device: opts.device,
    media,
    limits: opts.limits,
    internal: opts.internal,
    loading: opts.loading,
    onChange: () => state.emit(),
    onFrameStages: (id, ms) => metrics.observeStages(id, stageSeconds(ms)),
    onEnded: (stream) => {
      metrics.forget(stream.id);
      const { session, channels } = stream;
      // Released by the orchestrator (or the runner is unregistering): it has closed the channels itself.
      if (!session || stream.endedBy === 'orchestrator' || stream.endedBy === 'shutdown') return;
      void (async () => {
        if (channels) await sessions.closeChannels(session, channels.names);
        // Ended by itself (input closed, fatal error): the session is handed back too.
        if (!stream.endedBy) await sessions.release(session);
      })();
    },
  });
  const system = systemRoutes(state, {
    pipeline: opts.pipelineName ?? 'byoc',
    modelId: opts.modelId ?? '',
    appVersion: opts.appVersion ?? '0.0.1',
    nvidiaSmi: opts.nvidiaSmi,
  });
  // Prometheus text (the same numbers /stream/status shows); behind the API token like the stream routes.
  system['/metrics'] = async (req, res) => {
    const body = await metrics.text();
    res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const routeCtx = { state, streams, log, sessions };
  const reconciler = new SessionReconciler(streams, log);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://worker');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    if (opts.apiToken && path !== '/health' && !tokenMatches(req.headers.authorization, opts.apiToken)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return sendError(req, res, 401, 'Unauthorized: missing or invalid bearer token');
    }
    const m = /^(?:\/api)?\/stream\/([a-z]+)$/.exec(path);
    const streamRoute = path === '/live-video-to-video' ? STREAM_ROUTES.start : m ? STREAM_ROUTES[m[1]] : undefined;
    if (streamRoute) {
      const ok = req.method === streamRoute.method || (streamRoute.method === 'GET' && req.method === 'HEAD');
      if (!ok) return sendError(req, res, 405, `Method ${req.method} not allowed`);
      return streamRoute.handler(routeCtx, req, res, url);
    }
    const sys = system[path];
    if (sys) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(req, res, 405, `Method ${req.method} not allowed`);
      return sys(req, res);
    }
    sendError(req, res, 404, `Not found: ${path}`);
  };

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error('worker request failed', { path: req.url, error: (err as Error)?.message ?? String(err) });
      sendError(req, res, 500, `Internal error: ${(err as Error)?.message ?? err}`);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new FieldError('TRICKLE_PORT_IN_USE', ['port'], () => `port ${opts.port} is already in use`, { cause: err, hint: ([f]) => `pick another ${f}` })
          : new TrickleError('TRICKLE_INTERNAL', `worker could not listen: ${err.message}`, { cause: err }),
      );
    };
    server.once('error', onError);
    server.listen(opts.port ?? 8080, opts.host ?? '0.0.0.0', () => {
      server.off('error', onError);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;

  const loadAbort = new AbortController();
  const loadStart = performance.now();
  const loaded = (async () => {
    if (!factory) factory = await defaultFactory();
    if (typeof opts.processor === 'function') processor = await opts.processor();
    else await beginLoad(opts.processor, { log, device: opts.device ?? 'auto', params: resolveParams(opts.processor), signal: loadAbort.signal }).ready;
  })();
  loaded.then(
    () => {
      loadSeconds = (performance.now() - loadStart) / 1000;
      log.info('worker ready', { status: 'IDLE', capacity, x264Threads: threads });
      state.setReady();
    },
    (err: unknown) => {
      if (loadAbort.signal.aborted) return;
      const msg = (err as Error)?.message ?? String(err);
      log.error('processor load failed; the worker stays in ERROR', { error: msg });
      state.setLoadFailed(`Model loading failed: ${msg}`);
    },
  );

  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${addr.port}`,
    port: addr.port,
    get state() {
      return state.status;
    },
    streams: () => streams.list(),
    sessionIds: () => streams.sessionIds(),
    readiness: () => readiness(state, streams),
    reconcileSessions: (ids) => reconciler.reconcile(ids),
    stopSession: (id) => streams.stopSession(id),
    loaded,
    onStateChange: (l) => state.onChange(l),
    setRegistration: (r) => (registration = r),
    close() {
      closing ??= (async () => {
        loadAbort.abort();
        server.close();
        await streams.stopAll();
        for (const s of sockets) s.destroy();
        server.closeAllConnections?.();
      })();
      return closing;
    },
  };
}

/**
 * Only a `ready` runner is routed to. Slots taken by streams outside the orchestrator's sessions
 * are not its to give: capacity reports what is left (it counts its own sessions itself).
 */
function readiness(state: WorkerState, streams: StreamManager): RunnerReadiness {
  const sessionIds = streams.sessionIds();
  if (state.internalState === 'LOADING') return { status: 'loading', capacity: streams.capacity, sessionIds };
  // A failed load(), or every stream in ERROR (the processor returns nothing): not routed to.
  if (state.status === 'ERROR') return { status: 'failed', capacity: streams.capacity, sessionIds };
  const outside = streams.list().filter((s) => !s.session).length;
  const free = streams.capacity - outside;
  return free > 0 ? { status: 'ready', capacity: free, sessionIds } : { status: 'full', capacity: 1, sessionIds };
}
