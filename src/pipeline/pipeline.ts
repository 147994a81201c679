// One stream's wiring: Subscriber → Decoder → leaky queue → processor → Encoder → publishTs → Publisher.
import { randomUUID } from 'node:crypto';
import { isAbortError, isTrickleError, TrickleError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { AudioFrame, VideoFrame } from '../media/frames.js';
import type { ChildRestart } from '../media/restart-budget.js';
import type { MediaSettings } from '../media/settings.js';
import { mediaFromParams, mediaSettings, setFields } from '../media/settings-check.js';
import type { Params } from '../processor/types.js';
import { Publisher } from '../trickle/publisher.js';
import { Subscriber } from '../trickle/subscriber.js';
import { runControlChannel } from './control.js';
import { DataChannel } from './data.js';
import { EventsChannel } from './events.js';
import { FpsMeter } from './fps-meter.js';
import { LatencyTracker } from './latency.js';
import { LagMeter } from './lag-meter.js';
import { LeakyQueue } from './leaky-queue.js';
import { MediaStages } from './media-stages.js';
import { StreamMonitor } from './monitor.js';
import { waitForChannel } from './wait-channel.js';
import { instrumentPublisher } from './output-tap.js';
import { ProcessorRunner } from './runner.js';
import type { Pipeline, PipelineEndReason, PipelineEvent, PipelineOptions, PipelineResult, PipelineStats } from './types.js';

type Frame = VideoFrame | AudioFrame;
const isVideo = (f: Frame): f is VideoFrame => (f as VideoFrame).width !== undefined;

/** Builds a pipeline; nothing runs until start(). */
export function createPipeline(opts: PipelineOptions): Pipeline {
  return new StreamPipeline(opts);
}

class StreamPipeline implements Pipeline {
  readonly streamId: string;
  readonly done: Promise<PipelineResult>;
  private settle!: (r: PipelineResult) => void;
  private readonly log: Logger;
  private readonly inputAbort = new AbortController();
  private readonly hardAbort = new AbortController();
  private readonly streamAbort = new AbortController();
  private readonly runner: ProcessorRunner;
  private readonly queue: LeakyQueue<Frame>;
  private readonly latency = new LatencyTracker();
  private readonly lagMeter = new LagMeter();
  private readonly maxLagMs: number;
  private readonly fpsIn = new FpsMeter();
  private readonly fpsOut = new FpsMeter();
  private readonly audioIn = new FpsMeter();
  private readonly audioOut = new FpsMeter();
  /** When an ffmpeg child was last replaced, and its last stderr lines (status events). */
  private readonly restartMarks: { lastRestartAt?: number; lastRestartLogs?: string[] } = {};
  private readonly monitor: StreamMonitor;
  private readonly events?: EventsChannel;
  private readonly data?: DataChannel;
  /** This stream's media settings: the options' over what its start params ask for. */
  private readonly mediaSpec: MediaSettings;
  private publisher?: Publisher;
  private media?: MediaStages;
  private started = false;
  private stopping?: Promise<void>;
  private endReason?: PipelineEndReason;
  private endError?: Error;
  private dims = { width: 0, height: 0 };
  private marks: { lastInputAt?: number; lastOutputAt?: number; lastParamsAt?: number; lastErrorAt?: number } = {};
  private lastErrorEventAt = 0;
  private suppressedErrors = 0;
  private readonly s: PipelineStats = {
    state: 'starting',
    framesIn: 0,
    framesOut: 0,
    framesDropped: 0,
    framesErrored: 0,
    audioFramesIn: 0,
    segmentsIn: 0,
    segmentsOut: 0,
    inputFps: 0,
    outputFps: 0,
    latencyMs: 0,
    restarts: 0,
    startedAt: Date.now(),
  };

  constructor(private readonly opts: PipelineOptions) {
    this.streamId = opts.streamId ?? randomUUID();
    this.log = (opts.log ?? silentLogger).child({ stream: this.streamId.slice(0, 8) });
    this.done = new Promise((resolve) => (this.settle = resolve));
    const internal = opts.internal ?? {};
    this.mediaSpec = mediaSettings({ ...mediaFromParams(opts.params), ...setFields(opts.media) });
    this.maxLagMs = internal.maxLagMs ?? 1000;
    this.queue = new LeakyQueue<Frame>({
      capacity: internal.queueCapacity ?? 2,
      onDrop: (frame) => {
        this.s.framesDropped++;
        if (isVideo(frame as Frame)) this.media?.release(frame as VideoFrame);
      },
    });
    if (opts.events) this.events = new EventsChannel({ url: opts.events, log: this.log });
    if (opts.data) this.data = new DataChannel({ url: opts.data, log: this.log, intervalMs: internal.dataIntervalMs, keepAliveMs: internal.dataKeepAliveMs });
    this.runner = new ProcessorRunner({
      processor: opts.processor,
      params: { ...(opts.processor.params ?? {}), ...(opts.params ?? {}) },
      streamId: this.streamId,
      device: opts.device ?? 'auto',
      log: this.log,
      signal: this.streamAbort.signal,
      sendData: (item) => this.data?.push(item),
      emitEvent: (type, data) => this.emit(type, data ?? {}),
      onError: (err, hook) => this.onProcessorError(err, hook),
    });
    this.monitor = new StreamMonitor({
      heartbeatMs: internal.heartbeatMs,
      statusMs: internal.statusMs,
      emit: (type, data) => this.emit(type, data),
      snapshot: () => ({
        stats: this.stats(),
        params: this.params,
        urls: { subscribe: opts.input, publish: opts.output, control: opts.control ?? '', events: opts.events ?? '', data: opts.data ?? '' },
        dimensions: { width: this.dims.width || this.mediaSpec.width || 512, height: this.dims.height || this.mediaSpec.height || 512 },
        audioFpsIn: this.audioIn.fps(),
        audioFpsOut: this.audioOut.fps(),
        pipeline: opts.processor.name ?? 'processor',
        ...this.restartMarks,
        ...this.marks,
      }),
    });
    opts.signal?.addEventListener('abort', () => void this.stop(), { once: true });
  }

  get params(): Params {
    return this.runner.ctx.params;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.monitor.start();
    if (this.opts.ready) {
      // load() still running: frames bypass the processor so the output never goes quiet.
      this.runner.ready = false;
      this.opts.ready.then(
        async () => {
          await this.runner.start();
          this.runner.ready = true;
        },
        (err) => this.fail(new TrickleError('TRICKLE_PROCESSOR_LOAD', `processor load failed: ${(err as Error)?.message ?? err}`, { cause: err })),
      );
    } else await this.runner.start();
    this.publisher = new Publisher({ url: this.opts.output, contentType: 'video/mp2t', deleteOnClose: true, log: this.log });
    this.media = new MediaStages({ media: this.mediaSpec, ffmpeg: this.opts.ffmpeg, log: this.log, signal: this.hardAbort.signal, onRestart: (r) => this.childRestarted(r) });
    if (this.opts.control) {
      void runControlChannel({ url: this.opts.control, log: this.log, signal: this.streamAbort.signal, onParams: (p) => this.update(p) });
    }
    this.s.state = 'running';
    void this.run();
  }

  /** The three concurrent loops; settles `done` when the output has ended. */
  private async run(): Promise<void> {
    const media = this.media!;
    const tapped = instrumentPublisher(this.publisher!, {
      onFirstWrite: () => this.emit('send_first_processed_segment', {}),
      onSegment: () => this.s.segmentsOut++,
      onPts: (pts) => {
        this.latency.published(pts);
        this.marks.lastOutputAt = Date.now();
      },
    });
    const input = this.inputLoop(media);
    const decode = this.decodeLoop(media);
    const process = this.processLoop(media);
    const output = media.publish(tapped);
    // Any stage failing stops the others at once (a dead publisher would otherwise stall the encoder).
    const guard = (p: Promise<unknown>) =>
      p.catch((err: unknown) => {
        if (isAbortError(err) || this.hardAbort.signal.aborted) return;
        // A decoder that got no bytes at all fails too; the input's end explains it.
        if (this.s.segmentsIn === 0 && this.endReason !== undefined && isTrickleError(err, 'TRICKLE_BAD_MEDIA', 'TRICKLE_FFMPEG_EXIT')) return;
        this.fail(err as Error);
      });
    await Promise.all([guard(input), guard(decode), guard(process), guard(output)]);
    await this.finish();
  }

  private async inputLoop(media: MediaStages): Promise<void> {
    let sub: Subscriber | undefined;
    try {
      if (this.opts.waitForInput && !(await waitForChannel(this.opts.input, { signal: this.inputAbort.signal }))) {
        this.endReason ??= 'stopped';
        return;
      }
      // A channel we waited for is read from its first segment; otherwise join the current one.
      sub = new Subscriber({ url: this.opts.input, start: this.opts.waitForInput ? 0 : -2, signal: this.inputAbort.signal, log: this.log });
      for (;;) {
        const seg = await sub.next();
        if (!seg) break;
        for await (const chunk of seg.body as AsyncIterable<Uint8Array>) await media.writeInput(chunk);
        this.s.segmentsIn++;
        this.marks.lastInputAt = Date.now();
        if (this.s.segmentsIn === 1) this.emit('receive_first_ingest_segment', {});
      }
      this.endReason ??= 'input-ended';
    } catch (err) {
      if (this.inputAbort.signal.aborted || isAbortError(err)) this.endReason ??= 'stopped';
      else if (isTrickleError(err, 'TRICKLE_STREAM_NOT_FOUND') && this.s.segmentsIn === 0) this.endReason ??= 'input-not-found';
      else if (isTrickleError(err, 'TRICKLE_STREAM_NOT_FOUND')) this.endReason ??= 'input-ended';
      else throw err;
    } finally {
      await sub?.close().catch(() => undefined);
      media.endInput();
    }
  }

  private async decodeLoop(media: MediaStages): Promise<void> {
    try {
      for await (const frame of media.frames()) {
        if (isVideo(frame)) {
          this.s.framesIn++;
          this.fpsIn.tick();
          // Near live, a full queue holds the decoder back (bursts at start or from ffmpeg probing
          // lose nothing); once behind by more than maxLagMs the oldest frame is dropped instead.
          // Until the first output bytes are out (encoder start-up) nothing is dropped at all.
          if (this.queue.full && (this.s.segmentsOut === 0 || this.lagMeter.lag(frame.pts) < this.maxLagMs)) await this.queue.waitForRoom();
          else this.lagMeter.lag(frame.pts);
          this.latency.decoded(frame.pts);
          this.queue.push(frame, true);
        } else {
          this.s.audioFramesIn++;
          this.audioIn.tick();
          this.queue.push(frame, false);
        }
      }
    } finally {
      this.queue.close();
    }
  }

  private async processLoop(media: MediaStages): Promise<void> {
    try {
      for (;;) {
        const frame = await this.queue.shift();
        if (!frame) break;
        if (isVideo(frame)) {
          const out = await this.runner.video(frame);
          this.dims = { width: out.width, height: out.height };
          await media.writeVideo(out);
          // The encoder has the bytes and the hook has returned: the input buffer can take a later frame.
          media.release(frame);
          this.s.framesOut++;
          this.fpsOut.tick();
        } else {
          await media.writeAudio(await this.runner.audio(frame));
          this.audioOut.tick();
        }
      }
    } finally {
      await media.endOutput();
    }
  }

  private onProcessorError(err: unknown, hook: string): void {
    if (hook === 'video') this.s.framesErrored++;
    const message = err instanceof Error ? err.message : String(err);
    this.s.lastError = `${hook}: ${message}`;
    this.marks.lastErrorAt = Date.now();
    // At most two error events a second; the count of the ones held back rides on the next.
    const now = Date.now();
    if (now - this.lastErrorEventAt < 500) {
      this.suppressedErrors++;
      return;
    }
    this.lastErrorEventAt = now;
    this.emit('error', { message, hook, suppressed: this.suppressedErrors });
    this.suppressedErrors = 0;
  }

  /** An ffmpeg child died and was replaced: the stream goes on; status events count it. */
  private childRestarted(r: ChildRestart): void {
    this.s.lastError = r.message;
    this.marks.lastErrorAt = this.restartMarks.lastRestartAt = Date.now();
    this.restartMarks.lastRestartLogs = r.stderr ? r.stderr.split('\n') : [];
    this.emit('error', { message: r.message, fatal: false, child: r.child, restart_count: r.count });
  }

  private fail(err: Error): void {
    if (this.endError) return;
    this.endError = err;
    this.endReason = 'error';
    this.s.lastError = err.message;
    this.log.error('pipeline failed', { error: err.message, code: (err as TrickleError).code });
    this.emit('error', { message: err.message, fatal: true });
    void this.stop();
  }

  private emit(type: string, data: Record<string, unknown>): void {
    const event: PipelineEvent = { type, timestamp: Date.now(), streamId: this.streamId, ...data };
    try {
      this.opts.onEvent?.(event);
    } catch {
      /* a sink's failure is not the stream's */
    }
    this.events?.send(event);
  }

  async update(params: Params): Promise<void> {
    this.media?.update(mediaFromParams(params, 'live'));
    const changed = await this.runner.update(params);
    this.marks.lastParamsAt = Date.now();
    this.log.info('params updated', { keys: Object.keys(changed).join(',') });
    this.emit('params_updated', { params: this.params });
  }

  /** Graceful: stop reading input, flush decoder/encoder, end the output (DELETE); hard-kill after the grace. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.endReason ??= 'stopped';
      if (!this.started) {
        await this.finish();
        return;
      }
      this.s.state = 'stopping';
      this.inputAbort.abort();
      const grace = this.opts.internal?.stopGraceMs ?? 3000;
      const timer = setTimeout(() => {
        this.queue.clear();
        this.hardAbort.abort();
      }, grace);
      await this.done;
      clearTimeout(timer);
    })();
    return this.stopping;
  }

  private finishing?: Promise<void>;
  private finish(): Promise<void> {
    this.finishing ??= (async () => {
      this.s.state = this.endReason === 'error' ? 'error' : 'stopping';
      this.streamAbort.abort();
      await Promise.race([this.runner.stop(), new Promise((r) => setTimeout(r, 2000).unref())]);
      await this.media?.close();
      await this.publisher?.close().catch(() => undefined);
      this.monitor.stop();
      this.emit('stream_stopped', { reason: this.endReason });
      await Promise.all([this.events?.close(), this.data?.close()]);
      if (this.s.state !== 'error') this.s.state = 'stopped';
      this.settle({ reason: this.endReason ?? 'stopped', error: this.endError });
    })();
    return this.finishing;
  }

  stats(): PipelineStats {
    return {
      ...this.s,
      inputFps: this.fpsIn.fps(),
      outputFps: this.fpsOut.fps(),
      latencyMs: this.latency.medianMs(),
      framesDropped: this.s.framesDropped + (this.media?.lost ?? 0),
      framesSkipped: this.media?.skipped ?? 0,
      restarts: this.media?.restarts ?? 0,
      queued: this.queue.size,
    } as PipelineStats;
  }
}
