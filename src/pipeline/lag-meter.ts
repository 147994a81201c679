// How far behind the live edge a decoded frame is: its arrival time against its pts, relative to the best seen.

/**
 * Why: the leaky queue may hold the decoder back (no drops) only while the stream is near
 * live; once frames arrive later than `maxLagMs` behind the earliest-arriving ones, it drops instead.
 */
export class LagMeter {
  private best: number | undefined;
  private lastArrival = -Infinity;

  /** Arrivals this far apart are an input stall: what comes after it is the new live edge. */
  constructor(private readonly pauseMs = 2000) {}

  /** Lag in ms of a frame with 90 kHz `pts` arriving now; also updates the live-edge estimate. */
  lag(pts: number, now = performance.now()): number {
    const d = now - pts / 90;
    // A backwards pts jump (new stream, wrap) or a pause in arrivals (a stalled input whose pts
    // did not follow the clock) restarts the estimate.
    if (this.best === undefined || d < this.best || d - this.best > 60_000 || now - this.lastArrival > this.pauseMs) this.best = d;
    this.lastArrival = now;
    return d - this.best;
  }
}
