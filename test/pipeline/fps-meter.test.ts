// Frame rates over a sliding window: the arrival rate, and the input rate health reads (the lesser
// of the arrival rate and the rate the frames' timestamps were made at).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FpsMeter, InputFpsMeter } from '../../src/pipeline/fps-meter.js';

/** Ticks `n` frames of a `fps` stream starting at pts0, arriving `every` ms apart from `t0`. */
function feed(m: InputFpsMeter, n: number, fps: number, t0: number, every: number, pts0 = 0): void {
  for (let i = 0; i < n; i++) m.tick(pts0 + Math.round((i * 90_000) / fps), t0 + i * every);
}

describe('frame rates', () => {
  it('FpsMeter: (n − 1) / span over the last 5 s', () => {
    const m = new FpsMeter();
    for (let i = 0; i < 100; i++) m.tick(i * 50);
    assert.equal(m.fps(99 * 50), 20);
    assert.equal(m.fps(99 * 50 + 6000), 0, 'nothing in the window');
  });

  it('a 10 fps stream joined from its segment start reads 10 fps, where arrivals alone read 19', () => {
    const m = new InputFpsMeter();
    const arrivals = new FpsMeter();
    // The first 10 frames (the last second of stream) arrive at once, then one every 100 ms.
    for (let i = 0; i < 20; i++) {
      const at = 1000 + (i < 10 ? i : (i - 9) * 100);
      m.tick(i * 9000, at);
      arrivals.tick(at);
    }
    const now = 2000;
    assert.ok(arrivals.fps(now) >= 15, `arrivals alone ${arrivals.fps(now)}`);
    assert.equal(m.fps(now), 10);
  });

  it('frames of a 30 fps stream that arrive at 20 a second read 20 fps', () => {
    const m = new InputFpsMeter();
    feed(m, 100, 30, 0, 50);
    assert.equal(m.fps(99 * 50), 20);
  });

  it('a steady 30 fps stream reads 30, with B-frame reordering and across a timestamp jump', () => {
    const m = new InputFpsMeter();
    // Decode order I P B B P B B …: pts out of order, every gap still 3000 once sorted.
    const order = [0, 3, 1, 2, 6, 4, 5, 9, 7, 8, 12, 10, 11];
    for (let i = 0; i < 120; i++) {
      const k = Math.floor(i / 13) * 13 + order[i % 13]!;
      m.tick(k * 3000, i * (1000 / 30));
    }
    assert.equal(m.fps(119 * (1000 / 30)), 30);
    const j = new InputFpsMeter();
    feed(j, 60, 30, 0, 1000 / 30, 0);
    feed(j, 60, 30, 2000, 1000 / 30, 2 ** 33 - 30 * 3000); // a jump near the 33-bit wrap
    assert.equal(j.fps(2000 + 59 * (1000 / 30)), 30);
  });

  it('repeated timestamps alone leave the arrival rate', () => {
    const m = new InputFpsMeter();
    for (let i = 0; i < 30; i++) m.tick(5000, i * 40);
    assert.equal(m.fps(29 * 40), 25);
  });
});
