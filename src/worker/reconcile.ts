// Session reconciliation: stop the streams of sessions the orchestrator's heartbeat replies no longer list.
import type { Logger } from '../logger.js';
import type { StreamManager } from './streams.js';

/** Two consecutive heartbeats without a session before its stream is stopped (one may race a fresh start). */
const MISSES_BEFORE_STOP = 2;

/** The backstop behind O2R `released` messages; only streams started in a session are touched. */
export class SessionReconciler {
  private readonly misses = new Map<string, number>();

  constructor(
    private readonly streams: StreamManager,
    private readonly log: Logger,
  ) {}

  /** Called with the orchestrator's authoritative session list after each heartbeat. */
  reconcile(sessionIds: readonly string[]): void {
    const known = new Set(sessionIds);
    const live = new Set(this.streams.sessionIds());
    for (const id of live) {
      if (known.has(id)) {
        this.misses.delete(id);
        continue;
      }
      const n = (this.misses.get(id) ?? 0) + 1;
      this.misses.set(id, n);
      if (n >= MISSES_BEFORE_STOP) {
        this.log.warn('orchestrator dropped this session; stopping its stream', { session: id });
        this.misses.delete(id);
        void this.streams.stopSession(id);
      }
    }
    for (const id of this.misses.keys()) if (!live.has(id)) this.misses.delete(id);
  }
}
