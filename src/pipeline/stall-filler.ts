// Keeps video flowing through an input stall: the last frame again, at the input's frame rate, its timestamps trailing the clock.
import type { VideoFrame } from '../media/frames.js';

/** No new video frame for this long is a stall. */
export const STALL_AFTER_MS = 2000;
/**
 * Repeated frames' timestamps trail the clock by this much, so the frames of an input that
 * resumes with timestamps that went on with the clock (the usual case) come after them.
 */
const TRAIL_MS = 1000;
/** The repeat interval follows the input's, within 1/60 s and 1 s (90 kHz ticks). */
const MIN_INTERVAL = 1500;
const MAX_INTERVAL = 90_000;

/**
 * Why: a gateway stops a stream whose output is silent for 30 s, and viewers see a frozen
 * picture rather than a stalled player. The pipeline tells it each frame it encoded; while
 * none comes for STALL_AFTER_MS, next() hands out the last one again with a later pts.
 */
export class StallFiller {
  private last?: VideoFrame;
  private lastAt = 0;
  /** The picture repeated during the current stall (copied when it began: the original's bytes go back to the pool). */
  private still?: VideoFrame;
  private nextAt = 0;
  private lastPts = 0;
  /** The input's frame interval, smoothed (90 kHz ticks). */
  private interval = 3000;
  /** Frames repeated so far. */
  repeated = 0;

  /** A frame of the input went to the encoder now. */
  wrote(frame: VideoFrame, now = performance.now()): void {
    const delta = this.last ? frame.pts - this.last.pts : 0;
    if (delta > 0 && !this.still) this.interval = Math.min(MAX_INTERVAL, Math.max(MIN_INTERVAL, this.interval * 0.8 + delta * 0.2));
    this.last = frame;
    this.lastAt = now;
    this.still = undefined;
  }

  /** True once it has a frame it could repeat. */
  get holdsFrame(): boolean {
    return this.last !== undefined;
  }

  /** Forgets the frame (the video no longer passes through here): nothing is repeated until the next wrote(). */
  reset(): void {
    this.last = undefined;
    this.still = undefined;
  }

  /** True while the input is stalled (frames are being repeated). */
  get stalled(): boolean {
    return this.still !== undefined;
  }

  /** Ms until next() has a frame (Infinity before the first frame). */
  dueIn(now = performance.now()): number {
    if (!this.last) return Infinity;
    return Math.max(0, (this.still ? this.nextAt : this.lastAt + STALL_AFTER_MS) - now);
  }

  /** The frame to encode now, when one is due. */
  next(now = performance.now()): VideoFrame | undefined {
    const last = this.last;
    if (!last || this.dueIn(now) > 0) return undefined;
    if (!this.still) {
      this.still = { ...last, data: Uint8Array.from(last.data) };
      this.lastPts = last.pts;
    }
    const pts = Math.max(this.lastPts + 1, Math.round(last.pts + (now - this.lastAt - TRAIL_MS) * 90));
    this.lastPts = pts;
    this.nextAt = now + this.interval / 90;
    this.repeated++;
    return { ...this.still, pts };
  }
}
