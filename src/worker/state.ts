// The worker's readiness state machine (LOADING → IDLE, or ERROR when load() failed) and PyTrickle's state object.
import type { HealthState } from '../pipeline/health.js';

export type ReportedStatus = 'LOADING' | 'IDLE' | 'OK' | 'ERROR';
export type InternalState = 'LOADING' | 'IDLE' | 'ERROR';

/** PyTrickle's "pipeline state" object, returned as `current_state` and by /stream/status. */
export interface PipelineStateObject {
  status: ReportedStatus;
  state: ReportedStatus;
  error_message: string | null;
  pipeline_ready: boolean;
  active_streams: number;
  startup_complete: boolean;
  pipeline_state: InternalState;
  additional_info: Record<string, unknown>;
}

/** Tracks whether the processor's load() finished; stream failures never make it ERROR. */
export class WorkerState {
  private internal: InternalState = 'LOADING';
  private loadError: string | null = null;
  private readonly listeners = new Set<(status: ReportedStatus) => void>();

  constructor(
    private readonly activeStreams: () => number,
    /** The health state of every running stream. */
    private readonly streamStates: () => HealthState[] = () => [],
  ) {}

  /** load() finished: the worker accepts streams. */
  setReady(): void {
    this.internal = 'IDLE';
    this.emit();
  }

  /** load() failed: sticky until restart, and /health says so. */
  setLoadFailed(message: string): void {
    this.internal = 'ERROR';
    this.loadError = message;
    this.emit();
  }

  get internalState(): InternalState {
    return this.internal;
  }

  get ready(): boolean {
    return this.internal === 'IDLE';
  }

  /** Every running stream is in ERROR (input flows, nothing comes out of the processor): new ones would fare the same. */
  get streamsFailing(): boolean {
    const states = this.streamStates();
    return states.length > 0 && states.every((s) => s === 'ERROR');
  }

  /** How many running streams are in each health state. */
  streamStateCounts(): Partial<Record<HealthState, number>> {
    const counts: Partial<Record<HealthState, number>> = {};
    for (const s of this.streamStates()) counts[s] = (counts[s] ?? 0) + 1;
    return counts;
  }

  /** The status PyTrickle reports: ERROR (load() failed, or every stream in ERROR), then OK (streams active), then IDLE, then LOADING. */
  get status(): ReportedStatus {
    if (this.internal === 'ERROR') return 'ERROR';
    if (this.activeStreams() > 0) return this.streamsFailing ? 'ERROR' : 'OK';
    return this.internal === 'IDLE' ? 'IDLE' : 'LOADING';
  }

  /** Called whenever readiness or the stream count changes (registration reports it). */
  onChange(listener: (status: ReportedStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(): void {
    const s = this.status;
    for (const l of this.listeners) l(s);
  }

  /** The `current_state` object of every stream route. */
  snapshot(additional: Record<string, unknown> = {}): PipelineStateObject {
    const status = this.status;
    return {
      status,
      state: status,
      error_message: this.loadError ?? (status === 'ERROR' ? 'every stream is in ERROR: input flows but the processor returns no frames' : null),
      pipeline_ready: this.internal === 'IDLE',
      active_streams: this.activeStreams(),
      startup_complete: this.internal !== 'LOADING',
      pipeline_state: this.internal,
      additional_info: additional,
    };
  }
}
