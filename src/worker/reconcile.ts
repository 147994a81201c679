// Live-runner session reconciliation: stop streams whose session the orchestrator no longer lists.
import type { Logger } from '../logger.js';
import type { StreamManager } from './streams.js';

/** Two consecutive heartbeats without a session before its stream is stopped (one may race a fresh start). */
const MISSES_BEFORE_STOP = 2;

/** Remembers which sessions the orchestrator has dropped; only streams started with a session id are touched. */
export class SessionReconciler {
  private readonly misses = new Map<string, number>();

  constructor(
    private readonly streams: StreamManager,
    private readonly log: Logger,
  ) {}

  /** Called with the orchestrator's authoritative session list after each heartbeat. */
  reconcile(sessionIds: readonly string[]): void {
    const known = new Set(sessionIds);
    const live = new Set<string>();
    for (const s of this.streams.list()) {
      if (!s.sessionId) continue;
      live.add(s.sessionId);
      if (known.has(s.sessionId)) {
        this.misses.delete(s.sessionId);
        continue;
      }
      const n = (this.misses.get(s.sessionId) ?? 0) + 1;
      this.misses.set(s.sessionId, n);
      if (n >= MISSES_BEFORE_STOP) {
        this.log.warn('orchestrator dropped this session; stopping its stream', { stream: s.id, session: s.sessionId });
        this.misses.delete(s.sessionId);
        void this.streams.stop(s).catch(() => {});
      }
    }
    for (const id of this.misses.keys()) if (!live.has(id)) this.misses.delete(id);
  }
}
