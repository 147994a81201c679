// One trickle segment: a paged append-only byte buffer that many readers walk without copying.
import type { RetainedBytes } from './retained.js';

/** Called once when new bytes arrive or the segment closes. */
export type Wake = () => void;

export class Segment {
  /** Incoming Buffers kept as-is: readers index into this list, nobody copies. */
  readonly chunks: Buffer[] = [];
  /** `<hex length>\r\n` per chunk, built once and shared by every reader's chunked framing. */
  readonly heads: Buffer[] = [];
  size = 0;
  closed = false;
  private waiters: Wake[] = [];
  private wakeScheduled = false;

  /** `retained` counts this segment's bytes while a channel's ring holds it (until release()). */
  constructor(
    readonly seq: number,
    private retained?: RetainedBytes,
  ) {}

  /**
   * Appends one chunk and wakes waiting readers. Wakes run from setImmediate: every chunk that
   * arrived in the same event-loop turn goes out in one corked write per reader (fewer
   * syscalls under load), at no added latency when the loop is idle.
   */
  append(chunk: Buffer): void {
    if (this.closed || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.heads.push(Buffer.from(chunk.length.toString(16) + '\r\n', 'latin1'));
    this.size += chunk.length;
    this.retained?.add(chunk.length);
    this.scheduleWake();
  }

  /** The segment left its ring: its bytes no longer count as retained (readers still streaming it keep them). Idempotent. */
  release(): void {
    this.retained?.add(-this.size);
    this.retained = undefined;
  }

  /** Marks the segment complete: readers get EOF once they have drained it. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.scheduleWake();
  }

  /** Registers a one-shot callback for the next append or close. */
  onChange(wake: Wake): void {
    this.waiters.push(wake);
  }

  /** Removes a callback registered with onChange (a reader that went away). */
  offChange(wake: Wake): void {
    const i = this.waiters.indexOf(wake);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  private scheduleWake(): void {
    if (this.wakeScheduled || this.waiters.length === 0) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    });
  }
}
