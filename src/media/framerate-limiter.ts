// PTS-based frame dropping that keeps the long-run video rate at or below a cap (changeable live).

/** Accepts or drops frames by their 90 kHz pts so at most `maxFramerate` pass per second of frame time. */
export class FramerateLimiter {
  private due: number | undefined;
  private last: number | undefined;

  constructor(public maxFramerate?: number) {}

  /** True when the frame at `pts` (90 kHz) should be kept. */
  accept(pts: number): boolean {
    const fps = this.maxFramerate;
    if (!fps || fps <= 0) {
      this.due = undefined;
      return true;
    }
    const interval = 90_000 / fps;
    // A backwards jump or a long gap restarts the schedule at this frame.
    if (this.last !== undefined && (pts < this.last || pts - this.last > 90_000)) this.due = undefined;
    // Half a 90 kHz tick of tolerance absorbs pts rounding of the source's frame durations.
    if (this.due !== undefined && pts < this.due - 0.5) return false;
    this.due = this.due === undefined || pts - this.due >= interval ? pts + interval : this.due + interval;
    this.last = pts;
    return true;
  }
}
