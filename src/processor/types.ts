// The processor contract: a module whose default export describes optional hooks (load, start, video, audio, update, stop).
import type { Logger } from '../logger.js';
import type { AudioFrame, VideoFrame } from '../media/frames.js';
import type { PixelFormat } from '../media/pixel-format.js';

export type Params = Record<string, unknown>;

/** `auto` tries CUDA then CPU; `cuda:N` picks a GPU. */
export type DeviceSpec = 'auto' | 'cpu' | 'cuda' | `cuda:${number}`;

/** What `load()` gets: once per process, before any stream. */
export interface LoadContext {
  log: Logger;
  device: DeviceSpec;
  /** Declared defaults merged with the params the front end was given (flags, config). */
  params: Params;
  signal: AbortSignal;
}

/** What every per-stream hook gets. */
export interface ProcessorContext {
  streamId: string;
  log: Logger;
  device: DeviceSpec;
  /** The stream's current params (declared defaults ← start params ← updates). */
  params: Params;
  /** Scratch space that lives as long as the stream. */
  state: Record<string, unknown>;
  /** Queues a text/JSON item for the data channel (batched as JSONL every 333 ms). */
  sendData(item: unknown): void;
  /** Publishes a monitoring event on the events channel. */
  emitEvent(type: string, data?: Record<string, unknown>): void;
  /** Aborted when the stream stops. */
  signal: AbortSignal;
}

type MaybePromise<T> = T | Promise<T>;

export interface ProcessorDefinition<P extends Params = Params> {
  name?: string;
  description?: string;
  /** Declared parameters with their defaults; text values (KEY=VALUE) are coerced to these types. */
  params?: P;
  /**
   * The pixel format video() gets its frames in (default rgb24): the decoder outputs it and the
   * encoder takes it, so a processor that works on YUV or luma, or never looks at the pixels,
   * spares both colour conversions. Frames it returns are in this format too.
   */
  format?: PixelFormat;
  load?(ctx: LoadContext): MaybePromise<void>;
  start?(params: P, ctx: ProcessorContext): MaybePromise<void>;
  /** Return a frame to replace the input (any size), or nothing to pass the input on. */
  video?(frame: VideoFrame, ctx: ProcessorContext): MaybePromise<VideoFrame | void | undefined>;
  audio?(frame: AudioFrame, ctx: ProcessorContext): MaybePromise<AudioFrame | void | undefined>;
  /** Called with the changed keys only; ctx.params already holds the merged result. */
  update?(params: Partial<P>, ctx: ProcessorContext): MaybePromise<void>;
  stop?(ctx: ProcessorContext): MaybePromise<void>;
}

/** Identity function that gives a processor module its types. */
export function defineProcessor<P extends Params = Params>(definition: ProcessorDefinition<P>): ProcessorDefinition<P> {
  return definition;
}
