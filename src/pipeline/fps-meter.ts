// Frames per second over a sliding window of wall-clock arrival times.

/** n events over spanMs from the first to the last, per second, to 0.1 (0 without a span). */
const perSecond = (n: number, spanMs: number): number => (spanMs > 0 ? Math.round(((n - 1) * 1000 * 10) / spanMs) / 10 : 0);

/** Counts events and reports their rate over the last `windowMs` (PyTrickle: (n−1)/span). */
export class FpsMeter {
  private readonly times: number[] = [];
  constructor(private readonly windowMs = 5000, private readonly maxSamples = 600) {}

  tick(now = performance.now()): void {
    this.times.push(now);
    if (this.times.length > this.maxSamples) this.times.shift();
  }

  fps(now = performance.now()): number {
    while (this.times.length > 0 && now - this.times[0] > this.windowMs) this.times.shift();
    const n = this.times.length;
    if (n < 2) return 0;
    return perSecond(n, this.times[n - 1] - this.times[0]);
  }
}

/**
 * Input frames per second as stream health reads it: the lesser of the rate frames arrive at and
 * the rate their timestamps say they were made at (from the median gap between neighbouring pts).
 * Frames cannot arrive faster than they are made for long, so a higher arrival rate is catch-up:
 * a subscriber that joins a segment from its start receives all that was written of it at once,
 * which a 10 fps stream's arrival rate alone reads as 19 fps for a second. Arrivals slower than the
 * timestamps (a starved network) still count. The median keeps a timestamp jump or wrap from
 * reading as a slow stream.
 */
export class InputFpsMeter {
  private readonly times: number[] = [];
  private readonly pts: number[] = [];
  constructor(private readonly windowMs = 5000, private readonly maxSamples = 600) {}

  /** A frame with `pts` (90 kHz) arrived. */
  tick(pts: number, now = performance.now()): void {
    this.times.push(now);
    this.pts.push(pts);
    if (this.times.length > this.maxSamples) this.times.shift(), this.pts.shift();
  }

  fps(now = performance.now()): number {
    while (this.times.length > 0 && now - this.times[0]! > this.windowMs) this.times.shift(), this.pts.shift();
    const n = this.times.length;
    if (n < 2) return 0;
    const arrival = perSecond(n, this.times[n - 1]! - this.times[0]!);
    const sorted = Float64Array.from(this.pts).sort();
    const gaps: number[] = [];
    for (let i = 1; i < n; i++) if (sorted[i]! > sorted[i - 1]!) gaps.push(sorted[i]! - sorted[i - 1]!);
    if (gaps.length === 0) return arrival;
    gaps.sort((a, b) => a - b);
    const made = Math.round((90_000 * 10) / gaps[gaps.length >> 1]!) / 10;
    return Math.min(arrival, made);
  }
}
