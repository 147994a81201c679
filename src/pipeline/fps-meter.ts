// Frames per second over a sliding window of wall-clock arrival times.

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
    const span = this.times[n - 1] - this.times[0];
    return span > 0 ? Math.round(((n - 1) * 1000 * 10) / span) / 10 : 0;
  }
}
