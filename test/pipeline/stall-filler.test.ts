// StallFiller: nothing while frames come; after 2 s without one, the last frame again at the input's rate, timestamps trailing the clock by 1 s.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StallFiller, STALL_AFTER_MS } from '../../src/pipeline/stall-filler.js';
import type { VideoFrame } from '../../src/media/frames.js';

const frame = (pts: number, fill = 1): VideoFrame => ({ width: 2, height: 2, data: new Uint8Array(12).fill(fill), pts, timeBase: { num: 1, den: 90_000 } }) as VideoFrame;

test('repeats a copy of the last frame from 2 s after it, at its interval, with pts trailing the clock', () => {
  const f = new StallFiller();
  assert.equal(f.dueIn(0), Infinity, 'nothing to repeat before the first frame');
  for (let i = 0; i < 30; i++) f.wrote(frame(i * 3000), i * 33.3);
  const lastAt = 29 * 33.3;
  assert.equal(f.next(lastAt + 1000), undefined, 'not a stall yet');
  assert.ok(Math.abs(f.dueIn(lastAt) - STALL_AFTER_MS) < 1);
  const original = frame(29 * 3000, 9);
  f.wrote(original, lastAt);
  const a = f.next(lastAt + STALL_AFTER_MS)!;
  original.data.fill(0); // the pool reuses the original's bytes: the repeat keeps its own copy
  assert.equal(a.data[0], 9);
  assert.equal(a.pts, 29 * 3000 + 90_000, 'pts = last + (2 s - 1 s trail)');
  assert.ok(f.stalled);
  assert.ok(Math.abs(f.dueIn(lastAt + STALL_AFTER_MS) - 33.3) < 0.5, 'next one a frame interval later');
  const b = f.next(lastAt + STALL_AFTER_MS + 34)!;
  assert.ok(b.pts > a.pts && b.data[0] === 9);
  assert.equal(f.repeated, 2);
  f.wrote(frame(40 * 90_000), lastAt + 5000);
  assert.equal(f.stalled, false, 'a real frame ends the stall');
});
