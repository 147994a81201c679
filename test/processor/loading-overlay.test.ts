// The loading overlay: dimmed input or black, a bright bar that moves from one moment to the next.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadingFrame } from '../../src/image/loading-overlay.js';

const W = 100, H = 48;
const gray = { data: new Uint8Array(W * H * 3).fill(200), width: W, height: H, pts: 9000, timeBase: { num: 1, den: 90000 } };
const mean = (d: Uint8Array) => d.reduce((a, v) => a + v, 0) / d.length;
const barColumns = (d: Uint8Array) => {
  const y = Math.round((H * 2) / 3) + 1;
  return [...Array(W).keys()].filter((x) => d[(y * W + x) * 3] === 255);
};

describe('loading overlay', () => {
  it('overlay: the input at a quarter brightness, timestamps and size kept, input untouched', () => {
    const f = loadingFrame(gray, 'overlay', 700);
    assert.equal(f.pts, 9000);
    assert.equal(f.data.length, W * H * 3);
    assert.equal(f.data[0], 50);
    assert.ok(mean(gray.data) === 200, 'the input buffer is not written');
    assert.ok(mean(f.data) < 100);
  });
  it('black: a black frame with the bar', () => {
    const f = loadingFrame(gray, 'black', 700);
    assert.equal(f.data[0], 0);
    assert.ok(barColumns(f.data).length > 0);
  });
  it('the bar moves with time', () => {
    const a = barColumns(loadingFrame(gray, 'overlay', 300).data);
    const b = barColumns(loadingFrame(gray, 'overlay', 900).data);
    assert.ok(a.length > 0 && b.length > 0);
    assert.ok(b[0]! > a[0]!, `${a[0]} → ${b[0]}`);
  });
  it('passthrough returns the input frame itself', () => assert.equal(loadingFrame(gray, 'passthrough', 0), gray));
});
