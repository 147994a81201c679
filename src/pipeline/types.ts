// The Pipeline's public shape: what `process`, `serve` and `demo` drive.
import type { Logger } from '../logger.js';
import type { FfmpegLocation } from '../media/ffmpeg.js';
import type { DeviceSpec, Params, ProcessorDefinition } from '../processor/types.js';

export interface PipelineOptions {
  /** Input channel URL (video/MP2T). */
  input: string;
  /** Output channel URL. */
  output: string;
  control?: string;
  events?: string;
  data?: string;
  /** A processor whose load() has already run (loadProcessor + runLoad). */
  processor: ProcessorDefinition;
  params?: Params;
  width?: number;
  height?: number;
  maxFramerate?: number;
  /** Keyframe interval in seconds (default 2). */
  gop?: number;
  device?: DeviceSpec;
  ffmpeg?: FfmpegLocation;
  streamId?: string;
  log?: Logger;
  /** Aborting it is the same as stop(). */
  signal?: AbortSignal;
  /** Every monitoring event also goes here (serve, the status line). */
  onEvent?: (event: PipelineEvent) => void;
}

/** A monitoring event, as published on the events channel (PyTrickle envelope is added there). */
export interface PipelineEvent {
  type: string;
  timestamp: number;
  streamId: string;
  [key: string]: unknown;
}

export interface PipelineStats {
  state: 'starting' | 'running' | 'stopping' | 'stopped' | 'error';
  framesIn: number;
  framesOut: number;
  framesDropped: number;
  framesErrored: number;
  audioFramesIn: number;
  segmentsIn: number;
  segmentsOut: number;
  inputFps: number;
  outputFps: number;
  /** Median ms from a frame leaving the decoder to its encoded bytes leaving for the relay. */
  latencyMs: number;
  restarts: number;
  lastError?: string;
  startedAt: number;
}

export type PipelineEndReason = 'input-ended' | 'input-not-found' | 'stopped' | 'error';

export interface PipelineResult {
  reason: PipelineEndReason;
  error?: Error;
}

export interface Pipeline {
  readonly streamId: string;
  /** Resolves once the input is subscribed and the output publisher is open. */
  start(): Promise<void>;
  /** Applies a params update live (also what control-channel messages call). */
  update(params: Params): Promise<void>;
  /** Graceful stop: end of stream on the output, stream_stopped event, children gone within 5 s. */
  stop(): Promise<void>;
  /** Settles when the pipeline has ended for any reason (never rejects). */
  readonly done: Promise<PipelineResult>;
  stats(): PipelineStats;
  readonly params: Params;
}
