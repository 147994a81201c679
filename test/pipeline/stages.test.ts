// Per-stage latency: marks by pts become stage durations when the frame reaches the relay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StageClock } from '../../src/pipeline/stages.js';

describe('StageClock', () => {
  it('splits a frame into decode, queue, processor, encode, publish and total', () => {
    const c = new StageClock();
    c.mark(3000, 'demuxed', 0);
    c.mark(3000, 'decoded', 2);
    c.mark(3000, 'processing', 5);
    c.mark(3000, 'processed', 15);
    c.mark(3000, 'encoded', 20);
    assert.deepEqual(c.published(3000, 21), { decode: 2, queue: 3, processor: 10, encode: 5, publish: 1, total: 21 });
    assert.equal(c.published(3000, 30), undefined, 'a frame counts once');
  });

  it('a frame published forgets the older ones (dropped frames never report)', () => {
    const c = new StageClock();
    for (const pts of [0, 3000, 6000]) c.mark(pts, 'decoded', pts / 1000);
    c.mark(6000, 'encoded', 10);
    assert.deepEqual(c.published(6000, 12), { decode: undefined, queue: undefined, processor: undefined, encode: undefined, publish: 2, total: 6 });
    assert.equal(c.published(3000, 13), undefined);
  });

  it('percentiles over recent frames', () => {
    const c = new StageClock();
    for (let i = 0; i < 100; i++) {
      c.mark(i, 'demuxed', 0);
      c.published(i, i < 95 ? 10 : 100);
    }
    const p = c.percentiles();
    assert.deepEqual(p.total, { p50: 10, p95: 100 });
    assert.deepEqual(p.decode, { p50: 0, p95: 0 });
  });
});
