// The worker's streams: up to `capacity` pipelines, addressed by stream id, cleaned up when they end.
import type { Logger } from '../logger.js';
import type { FfmpegLocation } from '../media/ffmpeg.js';
import type { MediaSettings } from '../media/settings.js';
import type { LoadingMode } from '../image/loading-overlay.js';
import type { StageName } from '../pipeline/stages.js';
import type { Pipeline, PipelineInternalOptions, PipelineOptions, PipelineResult } from '../pipeline/types.js';
import type { DeviceSpec, Params, ProcessorDefinition } from '../processor/types.js';
import type { StreamLimits } from '../stream/limits.js';
import type { RunnerSession, SessionChannels } from '../register/live-runner/sessions.js';
import type { StartRequest } from './validate.js';

export type PipelineFactory = (opts: PipelineOptions) => Pipeline;

export interface WorkerStream {
  /** The id the stream was started under (X-Stream-Id, else gateway_request_id). */
  readonly id: string;
  /** Every id that addresses it: X-Stream-Id, gateway_request_id, stream_id. */
  readonly aliases: ReadonlySet<string>;
  readonly request: StartRequest;
  readonly pipeline: Pipeline;
  readonly startedAt: number;
  /** The orchestrator session (its proxy's headers) this stream belongs to, if any. */
  readonly session?: RunnerSession;
  /** The channels the worker created for it through the session callback. */
  readonly channels?: SessionChannels;
  /** False once the pipeline has ended or is being stopped. */
  running: boolean;
  /** Who ended it: a client's /stream/stop, the orchestrator (session released), the worker shutting down; unset when it ended by itself. */
  endedBy?: StopCause;
}

export type StopCause = 'api' | 'orchestrator' | 'shutdown';

export interface StreamManagerOptions {
  capacity: number;
  createPipeline: PipelineFactory;
  processor: () => ProcessorDefinition;
  log: Logger;
  ffmpeg?: FfmpegLocation;
  device?: DeviceSpec;
  /** Every stream's media settings (its params fill in size and frame-rate cap). */
  media?: Partial<MediaSettings>;
  /** Every stream's limits (frame timeout, hang limit, input timeout, largest frame). */
  limits?: Partial<StreamLimits>;
  /** Every stream's knobs for tests. */
  internal?: PipelineInternalOptions;
  /** What every stream's output shows while the processor restarts. */
  loading?: LoadingMode;
  /** Called when a stream is added or removed, or its health state changes (readiness reporting). */
  onChange?: () => void;
  /** A frame of stream `id` reached the relay: its stage durations (ms). */
  onFrameStages?: (id: string, ms: Partial<Record<StageName, number>>) => void;
  /** A pipeline's stop is bounded by its own grace; past this the slot is freed anyway and the overrun logged. */
  stopTimeoutMs?: number;
  /** A stream is gone (after its pipeline settled or its stop timed out), with how it ended. */
  onEnded?: (stream: WorkerStream, result: PipelineResult | undefined) => void;
}

export type Lookup =
  | { stream: WorkerStream }
  | { error: 'none' | 'ambiguous' | 'unknown'; id?: string };

/** Start refused because every slot is taken, or the id is already running. */
export class StartRefused extends Error {
  constructor(readonly reason: 'capacity' | 'duplicate', message: string) {
    super(message);
  }
}

/** Owns the running pipelines; one stop or failure never disturbs another stream. */
export class StreamManager {
  private readonly streams = new Map<string, WorkerStream>();
  private readonly ending = new Set<Promise<unknown>>();
  lastError: string | undefined;
  endedCount = 0;

  constructor(private readonly opts: StreamManagerOptions) {}

  get count(): number {
    return this.streams.size;
  }

  get capacity(): number {
    return this.opts.capacity;
  }

  list(): WorkerStream[] {
    return [...this.streams.values()];
  }

  /** Finds a stream by id; without an id, the only active stream is the default. */
  find(id: string | undefined): Lookup {
    if (id) {
      for (const s of this.streams.values()) if (s.aliases.has(id)) return { stream: s };
      return { error: this.streams.size === 0 ? 'none' : 'unknown', id };
    }
    if (this.streams.size === 0) return { error: 'none' };
    if (this.streams.size > 1) return { error: 'ambiguous' };
    return { stream: this.streams.values().next().value as WorkerStream };
  }

  /** Refuses a start that could not run (every slot taken, the id or the session already running one). */
  admit(req: StartRequest, headerId: string | undefined, session?: RunnerSession): void {
    const id = headerId || req.gatewayRequestId;
    for (const a of new Set([id, req.gatewayRequestId, ...(req.streamId ? [req.streamId] : [])])) {
      if ('stream' in this.find(a)) throw new StartRefused('duplicate', `stream ${a} is already running`);
    }
    const sameSession = session && this.list().find((s) => s.session?.id === session.id);
    if (sameSession) throw new StartRefused('duplicate', `session ${session.id} already runs stream ${sameSession.id}`);
    if (this.streams.size >= this.opts.capacity) throw new StartRefused('capacity', 'Pipeline is still in use');
  }

  /** Creates and starts a pipeline in the background; throws StartRefused when it cannot. */
  start(req: StartRequest, headerId: string | undefined, session?: RunnerSession, channels?: SessionChannels): WorkerStream {
    this.admit(req, headerId, session);
    const id = headerId || req.gatewayRequestId;
    const aliases = new Set([id, req.gatewayRequestId, ...(req.streamId ? [req.streamId] : [])]);
    const log = this.opts.log.child({ stream: id });
    const pipeline = this.opts.createPipeline({
      input: req.subscribeUrl ?? '',
      output: req.publishUrl ?? '',
      control: req.controlUrl,
      events: req.eventsUrl,
      data: req.dataUrl,
      processor: this.opts.processor(),
      params: req.params,
      media: this.opts.media,
      limits: this.opts.limits,
      internal: this.opts.internal,
      loading: this.opts.loading,
      onFrameStages: this.opts.onFrameStages && ((ms) => this.opts.onFrameStages!(id, ms)),
      onHealth: () => this.opts.onChange?.(),
      streamId: id,
      ffmpeg: this.opts.ffmpeg,
      device: this.opts.device,
      log,
    });
    const stream: WorkerStream = { id, aliases, request: req, pipeline, startedAt: Date.now(), session, channels, running: true };
    this.streams.set(id, stream);
    this.opts.onChange?.();
    // A session's channel URLs are credentials: the logger keeps them out, and they are not named here.
    log.info('stream started', session ? { session: session.id } : { subscribe: req.subscribeUrl, publish: req.publishUrl, events: req.eventsUrl });
    pipeline.start().catch((err: unknown) => {
      log.warn('stream failed to start', { error: (err as Error)?.message ?? String(err) });
      void pipeline.stop().catch(() => {});
    });
    void pipeline.done.then((result) => this.ended(stream, result));
    return stream;
  }

  private ended(stream: WorkerStream, result: PipelineResult): void {
    stream.running = false;
    if (this.streams.get(stream.id) !== stream) return;
    this.streams.delete(stream.id);
    this.endedCount++;
    const log = this.opts.log.child({ stream: stream.id });
    if (result.reason === 'error' || result.reason === 'input-not-found') {
      this.lastError = result.error?.message ?? result.reason;
      log.warn('stream ended', { reason: result.reason, error: result.error?.message });
    } else {
      log.info('stream ended', { reason: result.reason });
    }
    this.opts.onEnded?.(stream, result);
    this.opts.onChange?.();
  }

  /** Applies a params update to one stream. */
  async update(stream: WorkerStream, params: Params): Promise<void> {
    await stream.pipeline.update(params);
  }

  /** Stops one stream (the pipeline's stop is bounded by its grace) and frees its slot. */
  async stop(stream: WorkerStream, cause: StopCause = 'api'): Promise<void> {
    stream.endedBy ??= cause;
    stream.running = false;
    const timeout = this.opts.stopTimeoutMs ?? 6000;
    let timer: NodeJS.Timeout | undefined;
    const stopping = Promise.race([
      stream.pipeline.stop(),
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.opts.log.error('stream did not stop within its grace; its slot is freed anyway', { stream: stream.id, waitedMs: timeout });
          resolve();
        }, timeout);
      }),
    ]).finally(() => clearTimeout(timer));
    this.ending.add(stopping);
    try {
      await stopping;
    } finally {
      this.ending.delete(stopping);
      if (this.streams.get(stream.id) === stream) {
        this.streams.delete(stream.id);
        this.endedCount++;
        this.opts.onEnded?.(stream, undefined);
        this.opts.onChange?.();
      }
    }
  }

  /** Stops the streams of an orchestrator session (it released the session, or no longer lists it). */
  async stopSession(sessionId: string): Promise<number> {
    const streams = this.list().filter((s) => s.session?.id === sessionId && s.running);
    await Promise.allSettled(streams.map((s) => this.stop(s, 'orchestrator')));
    return streams.length;
  }

  /** The orchestrator sessions running here. */
  sessionIds(): string[] {
    return [...new Set(this.list().flatMap((s) => (s.session ? [s.session.id] : [])))];
  }

  /** Stops every stream (worker shutdown). */
  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.streams.values()].map((s) => this.stop(s, 'shutdown')));
    await Promise.allSettled([...this.ending]);
  }
}
