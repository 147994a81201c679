// A stream's health state from its input/output rates and gaps, with ai-runner's names and thresholds.
//
// Where we differ from ai-runner's process guardian, and why:
// - ERROR is "no output for 5 s while input flows" and is not sticky: our children restart in
//   place and hung hooks are bypassed, so a stream can recover (ai-runner makes any restart ERROR
//   so that its container gets replaced).
// - LOADING is its own state while the processor's load() (or a restart of it) runs: the output
//   then carries the input or a loading overlay, which is neither inference nor its failure.
// - The first output is waited for 5 s after the first input (ai-runner: 30 s after start): our
//   pipeline's first output comes within a second of its first input, so 30 s would hide a
//   stream that never works. The pipeline passes input and output times no earlier than the
//   moment the processor became ready, so the wait also counts from the end of a load() or restart.

export type HealthState = 'LOADING' | 'ONLINE' | 'DEGRADED_INPUT' | 'DEGRADED_INFERENCE' | 'ERROR' | 'OFFLINE';

export const HEALTH_STATES: readonly HealthState[] = ['LOADING', 'ONLINE', 'DEGRADED_INPUT', 'DEGRADED_INFERENCE', 'ERROR', 'OFFLINE'];

/** What the state is computed from (times in ms on one clock; fps over the last seconds). */
export interface HealthInputs {
  now: number;
  /** When the stream started. */
  startedAt: number;
  /** The stream has ended (or is stopping). */
  stopped: boolean;
  /** The processor is still loading (load() or a restart of it). */
  loading: boolean;
  firstInputAt?: number;
  lastInputAt?: number;
  inputFps: number;
  lastOutputAt?: number;
  outputFps: number;
  /** The last processor error, and the last child restart. */
  lastErrorAt?: number;
  lastRestartAt?: number;
}

/** Input slower than this, or absent for longer than INPUT_GAP_MS, is degraded input. */
export const MIN_INPUT_FPS = 15;
export const INPUT_GAP_MS = 2000;
/** No output for this long while input flows is an error. */
export const OUTPUT_GAP_MS = 5000;
/** A processor error within this long degrades inference; a restart within RESTART_WINDOW_MS too. */
export const ERROR_WINDOW_MS = 15_000;
export const RESTART_WINDOW_MS = 60_000;

/** The state now; the thresholds are exported so reports can explain a state. */
export function healthState(h: HealthInputs): HealthState {
  if (h.stopped) return 'OFFLINE';
  if (h.loading) return 'LOADING';
  const inputFlows = h.lastInputAt !== undefined && h.now - h.lastInputAt <= INPUT_GAP_MS;
  // Input flows but nothing came out for 5 s (counted from the first input until the first output).
  const outputRef = h.lastOutputAt ?? h.firstInputAt ?? h.lastInputAt;
  if (inputFlows && outputRef !== undefined && h.now - outputRef > OUTPUT_GAP_MS) return 'ERROR';
  if (!inputFlows || h.inputFps < MIN_INPUT_FPS) return 'DEGRADED_INPUT';
  if (h.lastOutputAt === undefined) return 'ONLINE';
  const slow = h.outputFps < Math.min(10, 0.8 * h.inputFps);
  const recentError = h.lastErrorAt !== undefined && h.now - h.lastErrorAt < ERROR_WINDOW_MS;
  const recentRestart = h.lastRestartAt !== undefined && h.now - h.lastRestartAt < RESTART_WINDOW_MS;
  return slow || recentError || recentRestart ? 'DEGRADED_INFERENCE' : 'ONLINE';
}

/** Follows the state over time: reports when it changed (for logs and events). */
export class HealthTracker {
  state: HealthState = 'LOADING';
  changedAt = 0;

  /** Recomputes; returns the previous state when it changed, undefined otherwise. */
  update(h: HealthInputs): HealthState | undefined {
    const next = healthState(h);
    if (next === this.state) return undefined;
    const prev = this.state;
    this.state = next;
    this.changedAt = h.now;
    return prev;
  }
}
