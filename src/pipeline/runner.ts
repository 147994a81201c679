// Runs a processor's hooks for one stream: a hook that throws costs one frame, one that hangs is gone around, never the stream's end by itself.
import { FieldError, type TrickleError } from '../errors.js';
import { rateLimited, type Logger } from '../logger.js';
import { frameBytes, type AudioFrame, type VideoFrame } from '../media/frames.js';
import type { DeviceSpec, Params, ProcessorContext, ProcessorDefinition } from '../processor/types.js';
import { mergeUpdate } from '../processor/params.js';
import { HookGuard, type HookName } from './hook-guard.js';

export interface RunnerOptions {
  processor: ProcessorDefinition;
  params: Params;
  streamId: string;
  device: DeviceSpec;
  log: Logger;
  /** Aborted when the stream stops (ctx.signal follows it). */
  signal: AbortSignal;
  sendData(item: unknown): void;
  emitEvent(type: string, data?: Record<string, unknown>): void;
  /** How long a hook call may take before frames go around it (the frame timeout). */
  frameTimeoutMs: number;
  /** How long a hook call may stay pending before it counts as hung. */
  hangLimitMs: number;
  /** Called for every hook failure (after the frame was passed on unchanged). */
  onError(err: unknown, hook: string): void;
  /** A call is still pending at the frame timeout: frames go around it until it returns. */
  onSlow(hook: HookName, pendingMs: number): void;
  /** A frame went around the processor: a call of its hook is pending, or the processor is restarting. */
  onBypass(): void;
  /** A call hung past the hang limit: the processor is being restarted with fresh state (once per stream). */
  onRestart(hook: HookName, pendingMs: number): void;
  /** A call hung past the hang limit and nothing is left to try: the stream fails with `err`. */
  onHung(err: TrickleError): void;
}

/** What became of the last video frame: the processor's result, gone around it while loading (or restarting), or gone around a fault. */
export type VideoOutcome = 'processed' | 'loading' | 'bypassed';

/** loading: start() not called yet (frames go around it); starting: start() running; restarting: a hung processor being replaced. */
type Phase = 'loading' | 'starting' | 'running' | 'restarting' | 'stopped';

const secs = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Owns the ProcessorContext of one stream and calls its hooks: a hook that throws costs its frame (passed on unchanged), never the stream. */
export class ProcessorRunner {
  private readonly def: ProcessorDefinition;
  private readonly limited: ReturnType<typeof rateLimited>;
  private readonly guard: HookGuard;
  private context: ProcessorContext;
  /** Aborted when this processor instance is given up (the stream stops, or a hung one is restarted). */
  private life = new AbortController();
  private phase: Phase = 'loading';
  private restarted = false;
  /** The last frame a video() call still holds past its deadline: its bytes must not be reused. */
  private held?: VideoFrame;
  /** What became of the frame of the last video() call. */
  lastVideo: VideoOutcome = 'loading';

  constructor(private readonly options: RunnerOptions) {
    this.def = options.processor;
    this.limited = rateLimited(options.log, 5000);
    this.context = this.freshContext({ ...options.params });
    this.guard = new HookGuard({
      deadlineMs: options.frameTimeoutMs,
      hangLimitMs: options.hangLimitMs,
      onSlow: (hook, ms) => options.onSlow(hook, ms),
      onHung: (hook, ms) => void this.hung(hook, ms),
      onLate: (hook, ms) => options.log.info(`processor ${hook}() returned after ${secs(ms)}; frames go through it again`),
    });
  }

  /** The context hooks get now (a restart replaces it; params carry over). */
  get ctx(): ProcessorContext {
    return this.context;
  }

  /** The processor is not ready: its load() (before start()), start() or a restart is running. */
  get loading(): boolean {
    return this.phase === 'loading' || this.phase === 'starting' || this.phase === 'restarting';
  }

  /** True when a video() call still pending holds `frame` (its bytes must not be handed out again). */
  holds(frame: VideoFrame): boolean {
    return this.held === frame;
  }

  private freshContext(params: Params): ProcessorContext {
    this.life = new AbortController();
    const { streamId, log, device, sendData, emitEvent } = this.options;
    return { streamId, log, device, params, state: {}, sendData, emitEvent, signal: AbortSignal.any([this.options.signal, this.life.signal]) };
  }

  private fail(hook: string, err: unknown): void {
    this.limited('warn', hook, `processor ${hook}() failed; frame passed on unchanged`, { error: describe(err) });
    this.options.onError(err, hook);
  }

  /**
   * Calls start(params) once the processor is ready; resolves within the frame timeout. A
   * failure is reported and the stream goes on; frames go around a start() still running.
   */
  async start(): Promise<void> {
    if (this.phase !== 'loading') return;
    this.phase = 'starting';
    const begun = this.def.start;
    if (!begun) {
      this.phase = 'running';
      return;
    }
    const r = await this.guard.call('start', () => begun.call(this.def, this.context.params, this.context));
    if (r.status === 'failed') this.fail('start', r.error);
    if (r.status !== 'pending') this.running();
    else void r.later.then((settled) => settled && this.running());
  }

  private running(): void {
    if (this.phase === 'starting') this.phase = 'running';
  }

  /** Whether a frame of `hook` skips the processor now; counted (onBypass) when a fault is why. */
  private bypass(hook: 'video' | 'audio'): boolean {
    if (!this.def[hook] || this.phase === 'loading' || this.phase === 'starting' || this.phase === 'stopped') return true;
    if (this.phase === 'running' && !this.guard.busy(hook)) return false;
    this.options.onBypass();
    return true;
  }

  /** The frame to encode for `frame`: the processor's result, or the input when it returned nothing, threw or did not answer in time. */
  async video(frame: VideoFrame): Promise<VideoFrame> {
    if (this.bypass('video')) {
      // A processor without video() has nothing to infer: its frames count as processed once it runs.
      this.lastVideo = this.loading ? 'loading' : !this.def.video && this.phase === 'running' ? 'processed' : 'bypassed';
      return frame;
    }
    this.lastVideo = 'bypassed';
    const r = await this.guard.call('video', () => this.def.video!(frame, this.context));
    if (r.status === 'pending') {
      this.held = frame;
      this.options.onBypass();
      return frame;
    }
    try {
      if (r.status === 'failed') throw r.error;
      const out = r.value;
      this.lastVideo = 'processed';
      if (!out) return frame;
      // A frame without a format is in the one the processor gets.
      const format = out.format ?? frame.format;
      if (!(out.data instanceof Uint8Array) || !(out.width > 0) || !(out.height > 0) || out.data.length < frameBytes(format, out.width, out.height)) {
        this.lastVideo = 'bypassed';
        throw new Error(`video() returned a malformed frame (${out.width}x${out.height} ${format}, ${out.data?.length} bytes)`);
      }
      if (out.pts === undefined) return { ...out, format, pts: frame.pts, timeBase: frame.timeBase };
      return out.format === undefined ? { ...out, format } : out;
    } catch (err) {
      this.fail('video', err);
      return frame;
    }
  }

  /** Same policy for audio. */
  async audio(frame: AudioFrame): Promise<AudioFrame> {
    if (this.bypass('audio')) return frame;
    const r = await this.guard.call('audio', () => this.def.audio!(frame, this.context));
    if (r.status === 'pending') {
      this.options.onBypass();
      return frame;
    }
    if (r.status === 'failed') this.fail('audio', r.error);
    return (r.status === 'done' && r.value) || frame;
  }

  /** Merges an update into ctx.params and calls update(changed) (waiting at most the frame timeout); returns the changed keys. */
  async update(update: Params): Promise<Params> {
    const { params, changed } = mergeUpdate(this.def, this.context.params, update);
    // Keep the same object identity so processors holding ctx.params see the change.
    Object.assign(this.context.params, params);
    const hook = this.def.update;
    if (!hook || this.phase === 'stopped' || this.phase === 'restarting') return changed;
    if (this.guard.busy('update')) {
      this.options.log.warn('processor update() is still running; the new params are in ctx.params only');
      return changed;
    }
    const r = await this.guard.call('update', () => hook.call(this.def, changed, this.context));
    if (r.status === 'failed') this.fail('update', r.error);
    return changed;
  }

  /** Calls stop() once, waiting at most `waitMs`; forgets any call still pending. */
  async stop(waitMs: number): Promise<void> {
    const was = this.phase;
    this.phase = 'stopped';
    if (was !== 'loading') await this.callStop(waitMs);
    this.guard.abandon();
    this.life.abort();
  }

  private async callStop(waitMs: number): Promise<void> {
    const hook = this.def.stop;
    if (!hook) return;
    const ctx = this.context;
    const r = await this.guard.call('stop', () => hook.call(this.def, ctx), waitMs);
    if (r.status === 'failed') this.fail('stop', r.error);
  }

  /** A call reached the hang limit: restart a processor that can be (once), else the stream fails. */
  private async hung(hook: HookName, pendingMs: number): Promise<void> {
    if (this.phase === 'stopped') return;
    const { start, stop } = this.def;
    if (start && stop && !this.restarted && hook !== 'stop') {
      this.restarted = true;
      this.options.onRestart(hook, pendingMs);
      await this.restart();
      return;
    }
    const again = this.restarted ? ' (it was restarted once already)' : '';
    this.options.onHung(
      new FieldError('TRICKLE_PROCESSOR_HUNG', ['limits.hangLimit'], ([f]) => `processor hung: ${hook}() has not returned for ${secs(pendingMs)} (${f} ${secs(this.options.hangLimitMs)})${again}`),
    );
  }

  /** Gives up the hung instance (its signal aborts, stop() gets a frame timeout), then start() with fresh state and the current params. */
  private async restart(): Promise<void> {
    this.phase = 'restarting';
    this.guard.abandon();
    this.life.abort();
    await this.callStop(this.options.frameTimeoutMs);
    this.guard.abandon();
    if (this.phase !== 'restarting') return; // the stream stopped meanwhile
    this.options.log.warn('processor restarted with fresh state');
    this.context = this.freshContext(this.context.params);
    this.phase = 'loading';
    await this.start();
  }
}
