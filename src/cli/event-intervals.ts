// A hidden knob for tests: TRICKLE_EVENT_INTERVAL_MS shortens the 10 s heartbeat/status period of `process` and `serve` streams.
import type { PipelineInternalOptions } from '../pipeline/types.js';

/** The intervals TRICKLE_EVENT_INTERVAL_MS asks for (100 ms at least); none when unset. */
export function eventIntervals(env: NodeJS.ProcessEnv): PipelineInternalOptions {
  const ms = Number(env.TRICKLE_EVENT_INTERVAL_MS);
  return Number.isFinite(ms) && ms >= 100 ? { heartbeatMs: ms, statusMs: ms } : {};
}
