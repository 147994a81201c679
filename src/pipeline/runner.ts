// Runs a processor's hooks for one stream: errors cost one frame, never the stream; bypasses until load() is done.
import { rateLimited, type Logger } from '../logger.js';
import type { AudioFrame, VideoFrame } from '../media/frames.js';
import type { DeviceSpec, Params, ProcessorContext, ProcessorDefinition } from '../processor/types.js';
import { mergeUpdate } from '../processor/params.js';

export interface RunnerOptions {
  processor: ProcessorDefinition;
  params: Params;
  streamId: string;
  device: DeviceSpec;
  log: Logger;
  signal: AbortSignal;
  sendData(item: unknown): void;
  emitEvent(type: string, data?: Record<string, unknown>): void;
  /** Called for every hook failure (after the frame was passed on unchanged). */
  onError(err: unknown, hook: string): void;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Owns the ProcessorContext of one stream and calls its hooks: a hook that throws costs its frame (passed on unchanged), never the stream. */
export class ProcessorRunner {
  readonly ctx: ProcessorContext;
  private readonly def: ProcessorDefinition;
  private readonly limited: ReturnType<typeof rateLimited>;
  private started = false;
  /** False while load() is still running: frames go around the processor. */
  ready = true;

  constructor(private readonly options: RunnerOptions) {
    this.def = options.processor;
    this.limited = rateLimited(options.log, 5000);
    this.ctx = {
      streamId: options.streamId,
      log: options.log,
      device: options.device,
      params: { ...options.params },
      state: {},
      sendData: options.sendData,
      emitEvent: options.emitEvent,
      signal: options.signal,
    };
  }

  private fail(hook: string, err: unknown): void {
    this.limited('warn', hook, `processor ${hook}() failed; frame passed on unchanged`, { error: describe(err) });
    this.options.onError(err, hook);
  }

  /** Calls start(params) once the processor is ready; a failure is reported, the stream goes on. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    try {
      await this.def.start?.(this.ctx.params, this.ctx);
    } catch (err) {
      this.fail('start', err);
    }
  }

  /** The frame to encode for `frame`: the processor's result, or the input when it returned nothing or threw. */
  async video(frame: VideoFrame): Promise<VideoFrame> {
    if (!this.ready || !this.def.video) return frame;
    try {
      const out = await this.def.video(frame, this.ctx);
      if (!out) return frame;
      if (!(out.data instanceof Uint8Array) || out.data.length < out.width * out.height * 3 || !(out.width > 0) || !(out.height > 0)) {
        throw new Error(`video() returned a malformed frame (${out.width}x${out.height}, ${out.data?.length} bytes)`);
      }
      return out.pts === undefined ? { ...out, pts: frame.pts, timeBase: frame.timeBase } : out;
    } catch (err) {
      this.fail('video', err);
      return frame;
    }
  }

  /** Same policy for audio. */
  async audio(frame: AudioFrame): Promise<AudioFrame> {
    if (!this.ready || !this.def.audio) return frame;
    try {
      const out = await this.def.audio(frame, this.ctx);
      return out ?? frame;
    } catch (err) {
      this.fail('audio', err);
      return frame;
    }
  }

  /** Merges an update into ctx.params and calls update(changed); returns the changed keys. */
  async update(update: Params): Promise<Params> {
    const { params, changed } = mergeUpdate(this.def, this.ctx.params, update);
    // Keep the same object identity so processors holding ctx.params see the change.
    Object.assign(this.ctx.params, params);
    try {
      await this.def.update?.(changed, this.ctx);
    } catch (err) {
      this.fail('update', err);
    }
    return changed;
  }

  /** Calls stop() once (bounded by the caller). */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    try {
      await this.def.stop?.(this.ctx);
    } catch (err) {
      this.fail('stop', err);
    }
  }
}
