// The Pipeline's public shape: what `process`, `serve` and `demo` drive.
import type { LoadingMode } from '../image/loading-overlay.js';
import type { Logger } from '../logger.js';
import type { FfmpegLocation } from '../media/ffmpeg.js';
import type { MediaSettings } from '../media/settings.js';
import type { DeviceSpec, Params, ProcessorDefinition } from '../processor/types.js';
import type { StreamLimitsInput } from '../stream/limits.js';
import type { HealthState } from './health.js';
import type { StageName, StagePercentiles } from './stages.js';

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
  /**
   * Size, frame-rate cap, keyframe interval, encoder settings (defaults for what is unset). Params
   * that carry one of them (width, height, max_framerate) fill in what is unset here at start,
   * and max_framerate follows every update.
   */
  media?: Partial<MediaSettings>;
  device?: DeviceSpec;
  /**
   * Frame timeout, hang limit, input timeout (seconds) and the largest frame size (defaults for
   * what is unset). Params asking for a larger frame, nested too deep or that cannot be written as
   * JSON make createPipeline() and update() throw a TRICKLE_USAGE error.
   */
  limits?: StreamLimitsInput;
  ffmpeg?: FfmpegLocation;
  streamId?: string;
  log?: Logger;
  /** Aborting it is the same as stop(). */
  signal?: AbortSignal;
  /** Every monitoring event also goes here (serve, the status line). */
  onEvent?: (event: PipelineEvent) => void;
  /**
   * Settles when the processor's load() has finished; until then frames bypass the processor
   * (passthrough output, so a gateway never sees a gap). Rejecting ends the pipeline with 'error'.
   */
  ready?: Promise<unknown>;
  /** Wait for the input channel to appear instead of ending with 'input-not-found'. */
  waitForInput?: boolean;
  /** What the output shows while load() (or a processor restart) runs (default overlay: the input dimmed, a bar moving). */
  loading?: LoadingMode;
  /** Each frame's stage durations (ms) as its bytes reach the relay (metrics histograms). */
  onFrameStages?: (ms: Partial<Record<StageName, number>>) => void;
  /** The stream's health state changed (the worker rolls it up). */
  onHealth?: (state: HealthState, previous: HealthState) => void;
  /** Knobs for tests and benchmarks; defaults are the product's behaviour. */
  internal?: PipelineInternalOptions;
}

export interface PipelineInternalOptions {
  /** Heartbeat interval (default 10000). */
  heartbeatMs?: number;
  /** Status event interval (default 10000). */
  statusMs?: number;
  /** Data channel batch interval (default 333). */
  dataIntervalMs?: number;
  /** Data channel keep-alive after silence (default 25000). */
  dataKeepAliveMs?: number;
  /** A full queue holds the decoder back while frames are less than this behind live, then drops (default 1000). */
  maxLagMs?: number;
  /** Video frames the leaky queue holds (default 2). */
  queueCapacity?: number;
  /** How long a stop may take in all (default 4000): half of it for draining, then children are killed. */
  stopGraceMs?: number;
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
  /** Video frames left out by max_framerate (not counted as drops). */
  framesSkipped?: number;
  /** Frames repeated while the input stalled (not counted in framesOut). */
  framesRepeated?: number;
  /** Items waiting in the leaky queue now. */
  queued?: number;
  /** The health state (ai-runner's names): LOADING, ONLINE, DEGRADED_INPUT, DEGRADED_INFERENCE, ERROR, OFFLINE. */
  health: HealthState;
  /** When the health state last changed (ms since the epoch). */
  healthSince: number;
  /** Video frames the processor returned (not those passed around it while loading, hung or failing). */
  framesProcessed: number;
  /** Per-stage latency p50/p95 in ms over the recent frames: queue, processor, encode, publish, total. */
  stages: Record<StageName, StagePercentiles>;
  bytesIn: number;
  bytesOut: number;
  /** Input segments skipped (gone from the relay before they were read). */
  segmentsLost: number;
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
  /** Applies a params update live (also what control-channel messages call); throws TRICKLE_USAGE for params refused before anything keeps them. */
  update(params: Params): Promise<void>;
  /** Graceful stop, bounded whatever a hook is doing: end of stream on the output, stream_stopped, children killed, within the stop grace (4 s). */
  stop(): Promise<void>;
  /** Settles when the pipeline has ended for any reason (never rejects). */
  readonly done: Promise<PipelineResult>;
  stats(): PipelineStats;
  readonly params: Params;
}
