// One stream's wiring: Subscriber → Decoder → leaky queue → processor → Encoder → publishTs → Publisher.
import { randomUUID } from 'node:crypto';
import { FieldError, isAbortError, isTrickleError, TrickleError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { AudioFrame, VideoFrame } from '../media/frames.js';
import type { ChildRestart } from '../media/restart-budget.js';
import type { MediaSettings } from '../media/settings.js';
import { mediaFromParams, mediaSettings, setFields } from '../media/settings-check.js';
import { loadingFrame, type LoadingMode } from '../image/loading-overlay.js';
import { TsPtsSniffer } from '../media/ts/pts-sniffer.js';
import { checkParamsShape } from '../processor/params-shape.js';
import type { Params } from '../processor/types.js';
import { checkFrameSize, checkLimits, checkParamsFrameSize, type StreamLimits } from '../stream/limits.js';
import { Publisher } from '../trickle/publisher.js';
import { Subscriber } from '../trickle/subscriber.js';
import { settleWithin } from '../trickle/transport.js';
import { runControlChannel } from './control.js';
import { DataChannel } from './data.js';
import { ErrorEvents } from './error-events.js';
import { EventsChannel } from './events.js';
import { FpsMeter, InputFpsMeter } from './fps-meter.js';
import { HealthTracker, type HealthState } from './health.js';
import { LagMeter } from './lag-meter.js';
import { LeakyQueue } from './leaky-queue.js';
import { MediaStages } from './media-stages.js';
import { StreamMonitor } from './monitor.js';
import { waitForChannel } from './wait-channel.js';
import { instrumentPublisher } from './output-tap.js';
import { ProcessorRunner } from './runner.js';
import { StageClock } from './stages.js';
import { STALL_AFTER_MS, StallFiller } from './stall-filler.js';
import type { Pipeline, PipelineEndReason, PipelineEvent, PipelineOptions, PipelineResult, PipelineStats } from './types.js';
import { Watchdog } from './watchdog.js';

type Frame = VideoFrame | AudioFrame;
const isVideo = (f: Frame): f is VideoFrame => (f as VideoFrame).width !== undefined;
/** A frame decoded again after the transcoder was left (it went out already). */
const isReplayed = (f: VideoFrame, media: MediaStages) => media.replayUntil !== undefined && f.pts <= media.replayUntil;

/** How long a stop may take in all, unless internal.stopGraceMs says otherwise. */
export const STOP_GRACE_MS = 4000;
/** Of the grace: kept for closing the output and events channels after the processor's stop(). */
const CLOSE_RESERVE_MS = 1500;
/** How often the health state is recomputed (besides every stats() call). */
const HEALTH_TICK_MS = 250;

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
  private readonly stages = new StageClock();
  private readonly health = new HealthTracker();
  private healthTimer?: NodeJS.Timeout;
  /** When the processor last became ready (its load() or a restart ended): output is waited for from then on. */
  private readyAt?: number;
  private wasLoading = true;
  /** The state the last status event carried (a change sends one at once). */
  private announced: HealthState = 'LOADING';
  private readonly loadingMode: LoadingMode;
  /** Frames the processor returned (not passed around it), and their rate. */
  private readonly fpsProcessed = new FpsMeter();
  /**
   * Video frames as they arrive from the relay (before the decoder, which a slow processor holds
   * back), read at no more than their timestamps' rate: catch-up bursts are not fast input.
   */
  private readonly fpsArriving = new InputFpsMeter();
  /** Video frame times for the health state (ms since the epoch). */
  private readonly frameTimes: { firstInputAt?: number; lastInputAt?: number; lastProcessedAt?: number } = {};
  private subscriber?: Subscriber;
  private readonly lagMeter = new LagMeter();
  private readonly maxLagMs: number;
  private readonly fpsIn = new FpsMeter();
  private readonly fpsOut = new FpsMeter();
  private readonly audioIn = new FpsMeter();
  private readonly audioOut = new FpsMeter();
  /** When an ffmpeg child was last replaced, and its last stderr lines (status events). */
  private readonly restartMarks: { lastRestartAt?: number; lastRestartLogs?: string[] } = {};
  private readonly monitor: StreamMonitor;
  private readonly errors: ErrorEvents;
  private readonly filler = new StallFiller();
  private readonly inputWatch: Watchdog;
  private readonly events?: EventsChannel;
  private readonly data?: DataChannel;
  /** This stream's media settings: the options' over what its start params ask for. */
  private readonly mediaSpec: MediaSettings;
  private readonly limits: StreamLimits;
  private readonly graceMs: number;
  private publisher?: Publisher;
  private media?: MediaStages;
  private started = false;
  /** The stream's loops, once they run; settles when all of them have ended. */
  private loops?: Promise<void>;
  private stopping?: Promise<void>;
  /** Set once stream_stopped is out: nothing of this stream is emitted after it. */
  private silenced = false;
  private endReason?: PipelineEndReason;
  private endError?: Error;
  private readonly dims = { width: 0, height: 0 };
  /** When the transcoding child last gave a frame, and a video PES last arrived (performance.now()). */
  private lastTranscodedAt?: number;
  private lastVideoInAt?: number;
  private marks: { lastInputAt?: number; lastOutputAt?: number; lastParamsAt?: number } = {};
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
    health: 'LOADING',
    healthSince: Date.now(),
    framesProcessed: 0,
    stages: new StageClock().percentiles(),
    bytesIn: 0,
    bytesOut: 0,
    segmentsLost: 0,
  };

  constructor(private readonly opts: PipelineOptions) {
    this.streamId = opts.streamId ?? randomUUID();
    this.log = (opts.log ?? silentLogger).child({ stream: this.streamId.slice(0, 8) });
    this.done = new Promise((resolve) => (this.settle = resolve));
    const internal = opts.internal ?? {};
    // Everything a stream may ask for is checked before anything of it exists.
    this.limits = checkLimits(opts.limits);
    checkParamsShape(opts.params);
    checkParamsFrameSize(opts.params, this.limits);
    checkFrameSize(opts.media ?? {}, this.limits, ['media.width', 'media.height']);
    this.mediaSpec = mediaSettings({ ...mediaFromParams(opts.params), ...setFields(opts.media) });
    this.maxLagMs = internal.maxLagMs ?? 1000;
    this.loadingMode = opts.loading ?? 'overlay';
    this.health.changedAt = this.s.startedAt;
    this.graceMs = internal.stopGraceMs ?? STOP_GRACE_MS;
    this.queue = new LeakyQueue<Frame>({
      capacity: internal.queueCapacity ?? 2,
      onDrop: (frame) => {
        this.s.framesDropped++;
        if (isVideo(frame as Frame)) this.release(frame as VideoFrame);
      },
    });
    this.errors = new ErrorEvents((data) => this.emit('error', data));
    this.inputWatch = new Watchdog(this.limits.inputTimeout * 1000, (idleMs) => this.inputStalled(idleMs));
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
      frameTimeoutMs: this.limits.frameTimeout * 1000,
      hangLimitMs: this.limits.hangLimit * 1000,
      onError: (err, hook) => {
        if (hook === 'video') this.s.framesErrored++;
        this.errors.hookFailed(hook, err);
      },
      onSlow: (hook, ms) => {
        this.log.warn(`processor ${hook}() has not returned for ${Math.round(ms / 100) / 10} s; going on without it`);
        this.errors.hookSlow(hook, ms);
      },
      onBypass: () => this.s.framesErrored++,
      onRestart: (hook, ms) => {
        this.log.warn(`processor ${hook}() hung for ${Math.round(ms / 100) / 10} s; restarting the processor`);
        this.errors.hookRestarted(hook, ms);
      },
      onHung: (err) => this.fail(err),
    });
    this.monitor = new StreamMonitor({
      heartbeatMs: internal.heartbeatMs,
      statusMs: internal.statusMs,
      emit: (type, data) => this.emit(type, data),
      snapshot: () => ({
        stats: this.stats(),
        params: this.params,
        urls: { subscribe: opts.input, publish: opts.output, control: opts.control ?? '', events: opts.events ?? '', data: opts.data ?? '' },
        dimensions: this.dimensions(),
        audioFpsIn: this.audioIn.fps(),
        audioFpsOut: this.audioOut.fps(),
        pipeline: opts.processor.name ?? 'processor',
        ...this.restartMarks,
        ...this.marks,
        lastErrorAt: this.errors.lastAt,
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
    this.healthTimer = setInterval(() => this.healthTick(), HEALTH_TICK_MS);
    this.healthTimer.unref();
    this.monitor.start();
    if (this.opts.ready) {
      // load() still running: frames bypass the processor so the output never goes quiet.
      this.opts.ready.then(
        () => this.runner.start(),
        (err) => this.fail(new TrickleError('TRICKLE_PROCESSOR_LOAD', `processor load failed: ${(err as Error)?.message ?? err}`, { cause: err })),
      );
    } else await this.runner.start(); // at most the frame timeout: a start() still running is gone around
    if (this.stopping) return;
    this.publisher = new Publisher({ url: this.opts.output, contentType: 'video/mp2t', deleteOnClose: true, log: this.log });
    const processor = this.opts.processor;
    this.media = new MediaStages({
      media: this.mediaSpec,
      audioHook: typeof processor.audio === 'function',
      // Frames enter Node only for a hook that reads them (or a loading picture over them, or a framerate cap).
      transcode: typeof processor.video !== 'function' && (typeof processor.load !== 'function' || this.loadingMode === 'passthrough') && !this.mediaSpec.maxFramerate,
      onTranscoded: () => this.transcoded(),
      pixelFormat: processor.format,
      onAudioCopied: () => {
        this.s.audioFramesIn++;
        this.audioIn.tick();
        this.audioOut.tick();
      },
      ffmpeg: this.opts.ffmpeg,
      log: this.log,
      signal: this.hardAbort.signal,
      onRestart: (r) => this.childRestarted(r),
    });
    if (this.opts.control) {
      void runControlChannel({ url: this.opts.control, log: this.log, signal: this.streamAbort.signal, onParams: (p) => this.update(p) });
    }
    this.s.state = 'running';
    this.loops = this.run();
    void this.loops.then(() => this.finish());
  }

  /** The concurrent loops; settles when all of them have ended. */
  private async run(): Promise<void> {
    const media = this.media!;
    const tapped = instrumentPublisher(this.publisher!, {
      onFirstWrite: () => this.emit('send_first_processed_segment', {}),
      onSegment: () => this.s.segmentsOut++,
      onEncoded: (pts) => this.stages.mark(pts, 'encoded'),
      onBytes: (n) => (this.s.bytesOut += n),
      onPts: (pts) => {
        const ms = this.stages.published(pts);
        if (ms && this.opts.onFrameStages) this.opts.onFrameStages(ms);
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
      this.subscriber = sub;
      this.inputWatch.start();
      const sniffer = new TsPtsSniffer();
      for (;;) {
        const seg = await sub.next();
        if (!seg) break;
        for await (const chunk of seg.body as AsyncIterable<Uint8Array>) {
          this.inputWatch.kick();
          this.s.bytesIn += chunk.length;
          for (const pts of sniffer.push(chunk)) this.arrived(pts);
          await media.writeInput(chunk);
        }
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
      this.inputWatch.stop();
      await sub?.close().catch(() => undefined);
      media.endInput();
    }
  }

  /** A frame went through the transcoding child: it counts as in, out, and processed (no hook was there to run). */
  private transcoded(): void {
    this.s.framesIn++;
    this.fpsIn.tick();
    this.s.framesOut++;
    this.fpsOut.tick();
    this.lastTranscodedAt = performance.now();
    if (this.filler.holdsFrame) {
      // Back from a stall: the transcoder has the video again.
      this.log.info('input resumed', { repeated: this.filler.repeated });
      this.filler.reset();
    }
    if (!this.runner.loading) {
      this.s.framesProcessed++;
      this.fpsProcessed.tick();
      this.frameTimes.lastProcessedAt = Date.now();
    }
  }

  /** The output's frame size: the transcoder's while it has the video, else the last frame written (else the settings'). */
  private dimensions(): { width: number; height: number } {
    const size = (this.media?.transcoding && this.media.videoSize) || this.dims;
    return { width: size.width || this.mediaSpec.width || 512, height: size.height || this.mediaSpec.height || 512 };
  }

  /** Ms until a transcoded stream's input counts as stalled (Infinity when frames go through Node). */
  private transcodeStallDueIn(): number {
    if (!this.media?.transcoding) return Infinity;
    // Before the first frame the wait is only a poll: nothing in the queue would end an endless one.
    if (this.lastTranscodedAt === undefined) return STALL_AFTER_MS / 4;
    // Input that arrives counts too: after a stall the transcoder starts again only at a keyframe.
    const last = Math.max(this.lastTranscodedAt, this.lastVideoInAt ?? 0);
    return Math.max(0, last + STALL_AFTER_MS - performance.now());
  }

  /** A video frame with `pts` arrived from the relay (its PES header is in the input bytes). */
  private arrived(pts: number): void {
    const now = Date.now();
    this.lastVideoInAt = performance.now();
    this.frameTimes.firstInputAt ??= now;
    this.frameTimes.lastInputAt = now;
    this.fpsArriving.tick(pts);
    this.stages.mark(pts, 'demuxed');
  }

  /** Nothing arrived on the input for limits.inputTimeout (its channel still there): the stream ends. */
  private inputStalled(idleMs: number): void {
    const s = Math.round(idleMs / 1000);
    this.fail(new FieldError('TRICKLE_STREAM_ENDED', ['limits.inputTimeout'], ([f]) => `no input for ${s} s (${f} ${this.limits.inputTimeout} s): the input channel is there but nothing new was published to it`));
  }

  private async decodeLoop(media: MediaStages): Promise<void> {
    try {
      for await (const frame of media.frames()) {
        if (isVideo(frame) && isReplayed(frame, media)) {
          this.queue.push(frame, true);
        } else if (isVideo(frame)) {
          this.s.framesIn++;
          this.fpsIn.tick();
          // Near live, a full queue holds the decoder back (bursts at start or from ffmpeg probing
          // lose nothing); once behind by more than maxLagMs the oldest frame is dropped instead.
          // Until the first output bytes are out (encoder start-up) nothing is dropped at all.
          if (this.queue.full && (this.s.segmentsOut === 0 || this.lagMeter.lag(frame.pts) < this.maxLagMs)) await this.queue.waitForRoom();
          else this.lagMeter.lag(frame.pts);
          this.stages.mark(frame.pts, 'decoded');
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
        // While the input stalls, the last frame is repeated (not once the stream is stopping).
        const frame = await this.queue.shiftWithin(this.stopping ? Infinity : Math.min(this.filler.dueIn(), this.transcodeStallDueIn()));
        if (frame === undefined) break;
        if (frame === null) {
          if (this.transcodeStallDueIn() === 0) {
            // The picture to repeat is inside the transcoder: its last GOP is decoded again (the track logs it).
            media.leaveDirect();
          } else await this.repeatLastFrame(media);
          continue;
        }
        if (isVideo(frame) && media.replayUntil !== undefined) {
          if (isReplayed(frame, media)) {
            // Already out through the transcoder: only the last one is kept, as the picture to repeat.
            if (frame.pts === media.replayUntil) this.filler.wrote(frame, performance.now() - STALL_AFTER_MS);
            else this.release(frame);
            continue;
          }
          media.replayDone();
        }
        if (isVideo(frame)) {
          if (this.filler.stalled) this.log.info('input resumed', { repeated: this.filler.repeated });
          this.stages.mark(frame.pts, 'processing');
          let out = await this.runner.video(frame);
          this.stages.mark(frame.pts, 'processed');
          const outcome = this.runner.lastVideo;
          if (outcome === 'processed') {
            this.s.framesProcessed++;
            this.fpsProcessed.tick();
            this.frameTimes.lastProcessedAt = Date.now();
          } else if (outcome === 'loading' && out === frame) out = loadingFrame(frame, this.loadingMode, performance.now());
          this.dims.width = out.width;
          this.dims.height = out.height;
          await media.writeVideo(out);
          this.filler.wrote(out);
          // The encoder has the bytes and the hook has returned: the input buffer can take a later frame.
          this.release(frame);
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

  private async repeatLastFrame(media: MediaStages): Promise<void> {
    if (this.stopping) return;
    // The input resumed at a keyframe and went back to the transcoder: its packets follow, no more stills.
    if (media.transcoding) {
      this.filler.reset();
      return;
    }
    const wasStalled = this.filler.stalled;
    const still = this.filler.next();
    if (!still) return;
    if (!wasStalled) this.log.info('input stalled: repeating the last frame until it resumes', { inputTimeoutS: this.limits.inputTimeout });
    await media.writeVideo(still);
  }

  /** A decoded frame's bytes may hold a later frame, unless a hook call still pending holds them. */
  private release(frame: VideoFrame): void {
    if (!this.runner.holds(frame)) this.media?.release(frame);
  }

  /** An ffmpeg child died and was replaced: the stream goes on; status events count it. */
  private childRestarted(r: ChildRestart): void {
    this.restartMarks.lastRestartAt = Date.now();
    this.restartMarks.lastRestartLogs = r.stderr ? r.stderr.split('\n') : [];
    this.errors.childRestarted(r.child, r.message, r.count);
  }

  private fail(err: Error): void {
    if (this.endError) return;
    this.endError = err;
    this.endReason = 'error';
    this.log.error('pipeline failed', { error: err.message, code: (err as TrickleError).code });
    this.errors.fatal(err.message);
    void this.stop();
  }

  private emit(type: string, data: Record<string, unknown>): void {
    if (this.silenced) return;
    const event: PipelineEvent = { type, timestamp: Date.now(), streamId: this.streamId, ...data };
    try {
      this.opts.onEvent?.(event);
    } catch {
      /* a sink's failure is not the stream's */
    }
    this.events?.send(event);
  }

  async update(params: Params): Promise<void> {
    // Refused before anything keeps them: too deep, unserialisable, or asking for too large a frame.
    checkParamsShape(params);
    checkParamsFrameSize(params, this.limits);
    this.media?.update(mediaFromParams(params, 'live'));
    const changed = await this.runner.update(params);
    this.marks.lastParamsAt = Date.now();
    this.log.info('params updated', { keys: Object.keys(changed).join(',') });
    this.emit('params_updated', { params: this.params });
  }

  /**
   * Graceful first: stop reading input and let what was read drain to the output. What has not
   * drained by half the grace is cut short (children killed, queue dropped); the stream has
   * ended, its channels closed and stream_stopped sent, by the end of the grace.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.endReason ??= 'stopped';
      const deadline = Date.now() + this.graceMs;
      if (this.started) {
        this.s.state = 'stopping';
        this.inputAbort.abort();
        if (this.loops) await settleWithin(this.loops, this.graceMs / 2);
      }
      await this.finish(deadline);
    })();
    return this.stopping;
  }

  /** Kills the children and drops what is queued: the loops end at once. */
  private cutShort(): void {
    this.queue.clear();
    this.queue.close();
    this.hardAbort.abort();
  }

  private finishing?: Promise<void>;
  /** Ends everything the stream owns, in order, within `deadline`; settles `done`. Idempotent. */
  private finish(deadline = Date.now() + this.graceMs): Promise<void> {
    this.finishing ??= (async () => {
      const left = (reserve = 0) => Math.max(0, deadline - reserve - Date.now());
      this.s.state = this.endReason === 'error' ? 'error' : 'stopping';
      this.streamAbort.abort();
      this.inputWatch.stop();
      this.cutShort();
      const media = this.media?.close() ?? Promise.resolve();
      // The processor's stop() gets what the grace leaves once closing the channels is set aside.
      await this.runner.stop(Math.max(100, left(CLOSE_RESERVE_MS)));
      await this.publisher?.close({ waitMs: left(CLOSE_RESERVE_MS / 2) }).catch(() => undefined);
      this.monitor.stop();
      clearInterval(this.healthTimer);
      // The last status says how it ended: OFFLINE (or ERROR when it failed).
      this.monitor.statusNow();
      this.emit('stream_stopped', { reason: this.endReason });
      this.silenced = true;
      await Promise.all([this.events?.close(left()), this.data?.close(left())]);
      await settleWithin(media, left());
      if (this.s.state !== 'error') this.s.state = 'stopped';
      this.settle({ reason: this.endReason ?? 'stopped', error: this.endError });
    })();
    return this.finishing;
  }

  /** A status event as soon as the state differs from the one the last status carried. */
  private healthTick(): void {
    const state = this.updateHealth();
    if (state === this.announced) return;
    this.announced = state;
    this.monitor.statusNow();
  }

  /** Recomputes the health state from the frame times; reports a change. */
  private updateHealth(): HealthState {
    const ended = this.s.state !== 'starting' && this.s.state !== 'running';
    const now = Date.now();
    const loading = this.runner.loading;
    if (this.wasLoading && !loading) this.readyAt = now;
    this.wasLoading = loading;
    // The 5 s without output count from when the processor became ready, not from before its load() or restart.
    const notBeforeReady = (t: number | undefined) => (t === undefined ? undefined : Math.max(t, this.readyAt ?? t));
    const prev = this.health.update({
      now,
      startedAt: this.s.startedAt,
      stopped: ended,
      loading,
      firstInputAt: notBeforeReady(this.frameTimes.firstInputAt),
      lastInputAt: this.frameTimes.lastInputAt,
      inputFps: this.fpsArriving.fps(),
      lastOutputAt: notBeforeReady(this.frameTimes.lastProcessedAt),
      outputFps: this.fpsProcessed.fps(),
      lastErrorAt: this.errors.lastAt,
      lastRestartAt: this.restartMarks.lastRestartAt,
    });
    const state = this.s.state === 'error' ? 'ERROR' : this.health.state;
    if (prev !== undefined && !this.silenced) {
      this.log.info(`stream state ${prev} → ${this.health.state}`);
      try {
        this.opts.onHealth?.(this.health.state, prev);
      } catch {
        /* a listener's failure is not the stream's */
      }
    }
    return state;
  }

  stats(): PipelineStats {
    const stages = this.stages.percentiles();
    return {
      ...this.s,
      health: this.updateHealth(),
      healthSince: this.health.changedAt,
      stages,
      segmentsLost: this.subscriber?.gaps ?? 0,
      lastError: this.errors.last,
      inputFps: this.fpsIn.fps(),
      outputFps: this.fpsOut.fps(),
      latencyMs: stages.total.p50,
      framesDropped: this.s.framesDropped + (this.media?.lost ?? 0),
      framesSkipped: this.media?.skipped ?? 0,
      framesRepeated: this.filler.repeated,
      restarts: this.media?.restarts ?? 0,
      queued: this.queue.size,
    } as PipelineStats;
  }
}
