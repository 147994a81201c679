// FramerateLimiter: PTS-based caps hold the long-run rate, follow live changes and survive rewinds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FramerateLimiter } from '../../src/media/framerate-limiter.js';

/** How many of `count` frames `step` ticks apart pass, starting at `start`. */
function passed(limiter: FramerateLimiter, count: number, step: number, start = 0): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) if (limiter.accept(start + i * step)) out.push(start + i * step);
  return out;
}

describe('FramerateLimiter', () => {
  it('keeps 24 of every 30 frames of a 30 fps stream capped at 24', () => {
    const kept = passed(new FramerateLimiter(24), 300, 3000);
    assert.ok(kept.length >= 239 && kept.length <= 241, `${kept.length} of 300`);
  });

  it('keeps every frame below the cap and everything without a cap', () => {
    assert.equal(passed(new FramerateLimiter(30), 100, 3750).length, 100); // 24 fps under a 30 cap
    assert.equal(passed(new FramerateLimiter(), 100, 1000).length, 100);
  });

  it('halves 30 fps to 15 and follows a live change of the cap', () => {
    const limiter = new FramerateLimiter(15);
    assert.equal(passed(limiter, 30, 3000).length, 15);
    limiter.maxFramerate = 5;
    assert.equal(passed(limiter, 30, 3000, 90_000).length, 5);
    limiter.maxFramerate = undefined;
    assert.equal(passed(limiter, 30, 3000, 180_000).length, 30);
  });

  it('handles irregular (VFR) spacing by frame time, and restarts after a rewind', () => {
    const limiter = new FramerateLimiter(10);
    const pts = [0, 1000, 2000, 9000, 9500, 18000, 30000, 31000, 45000];
    const kept = pts.filter((p) => limiter.accept(p));
    assert.deepEqual(kept, [0, 9000, 18000, 30000, 45000]);
    assert.equal(limiter.accept(100), true, 'a rewind starts over');
  });
});
