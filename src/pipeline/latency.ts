// Frame latency bookkeeping: when each pts left the decoder, matched when its encoded bytes reach the publisher.

/** Remembers decode times by pts and yields the median of recent decode→publish delays. */
export class LatencyTracker {
  private readonly pending = new Map<number, number>();
  private readonly recent: number[] = [];
  private idx = 0;

  /** The frame with `pts` left the decoder now. */
  decoded(pts: number, now = performance.now()): void {
    this.pending.set(pts, now);
    if (this.pending.size > 600) {
      const first = this.pending.keys().next().value as number;
      this.pending.delete(first);
    }
  }

  /** Encoded bytes carrying `pts` were handed to the publisher now; returns the delay if known. */
  published(pts: number, now = performance.now()): number | undefined {
    const t = this.pending.get(pts);
    if (t === undefined) return undefined;
    // Everything at or before this pts has been written (or dropped): forget it.
    for (const k of this.pending.keys()) {
      if (k <= pts) this.pending.delete(k);
      else break;
    }
    const ms = now - t;
    if (this.recent.length < 100) this.recent.push(ms);
    else this.recent[this.idx++ % 100] = ms;
    return ms;
  }

  /** Median over the last 100 frames (0 before any). */
  medianMs(): number {
    if (this.recent.length === 0) return 0;
    const s = [...this.recent].sort((a, b) => a - b);
    return Math.round(s[s.length >> 1] * 10) / 10;
  }
}
