// Periodic monitoring for one stream: PyTrickle heartbeats and ai-runner-style status events on a timer.
import { createHash } from 'node:crypto';
import type { Params } from '../processor/types.js';
import type { PipelineStats } from './types.js';

export interface MonitorSnapshot {
  stats: PipelineStats;
  params: Params;
  urls: { subscribe: string; publish: string; control: string; events: string; data: string };
  dimensions: { width: number; height: number };
  audioFpsIn: number;
  audioFpsOut: number;
  lastInputAt?: number;
  lastOutputAt?: number;
  lastParamsAt?: number;
  lastErrorAt?: number;
  /** When an ffmpeg child was last replaced, and its last stderr lines. */
  lastRestartAt?: number;
  lastRestartLogs?: string[];
  pipeline: string;
}

export interface MonitorOptions {
  emit(type: string, data: Record<string, unknown>): void;
  snapshot(): MonitorSnapshot;
  /** Heartbeat interval (default 10 s; tests shorten it). */
  heartbeatMs?: number;
  /** Status interval (default 10 s). */
  statusMs?: number;
}

/** A short stable hash of the params (ai-runner's last_params_hash). */
export function paramsHash(params: Params): string {
  const sorted = JSON.stringify(params, Object.keys(params).sort());
  return createHash('sha256').update(sorted).digest('hex').slice(0, 16);
}

/** The heartbeat event body, in PyTrickle's shape. */
export function heartbeatEvent(s: MonitorSnapshot): Record<string, unknown> {
  return {
    urls: s.urls,
    dimensions: s.dimensions,
    fps: {
      ingress_video_fps: s.stats.inputFps,
      ingress_audio_fps: s.audioFpsIn,
      egress_video_fps: s.stats.outputFps,
      egress_audio_fps: s.audioFpsOut,
    },
  };
}

/** The `{"type":"status"}` event body, with ai-runner's fields (sent every 10 s from a stream's first second). */
export function statusEvent(s: MonitorSnapshot, now = Date.now()): Record<string, unknown> {
  return {
    pipeline: s.pipeline,
    start_time: s.stats.startedAt,
    state: s.stats.health,
    last_state_update_time: s.stats.healthSince,
    input_status: { last_input_time: s.lastInputAt ?? null, fps: s.stats.inputFps },
    inference_status: {
      last_output_time: s.lastOutputAt ?? null,
      fps: s.stats.outputFps,
      last_params_update_time: s.lastParamsAt ?? null,
      last_params: s.params,
      last_params_hash: paramsHash(s.params),
      last_error_time: s.lastErrorAt ?? null,
      last_error: s.stats.lastError ?? null,
      last_restart_time: s.lastRestartAt ?? null,
      last_restart_logs: s.lastRestartLogs ?? null,
      restart_count: s.stats.restarts,
    },
    frames: { in: s.stats.framesIn, out: s.stats.framesOut, processed: s.stats.framesProcessed, dropped: s.stats.framesDropped, errored: s.stats.framesErrored },
    latency_ms: s.stats.latencyMs,
    // p50/p95 ms per stage: decode (arrival to decoder out), queue, processor, encode, publish (to the relay), total.
    stage_latency_ms: s.stats.stages,
    last_status_timestamp: now,
  };
}

/** Owns the two timers; start() sends the first heartbeat and status at once. */
export class StreamMonitor {
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly options: MonitorOptions) {}

  start(): void {
    if (this.timers.length) return;
    const beat = () => this.options.emit('heartbeat', heartbeatEvent(this.options.snapshot()));
    const status = () => this.options.emit('status', statusEvent(this.options.snapshot()));
    beat();
    status();
    this.timers.push(setInterval(beat, this.options.heartbeatMs ?? 10_000), setInterval(status, this.options.statusMs ?? 10_000));
    for (const t of this.timers) t.unref();
  }

  /** A status event now (the state changed, or the stream is ending), besides the periodic ones. */
  statusNow(): void {
    this.options.emit('status', statusEvent(this.options.snapshot()));
  }

  /** Idempotent. */
  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}
