// The loading overlay: dimmed input or black, a bright bar that moves from one moment to the next.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadingFrame } from '../../src/image/loading-overlay.js';

const W = 100, H = 48;
const gray = { data: new Uint8Array(W * H * 3).fill(200), format: 'rgb24' as const, width: W, height: H, pts: 9000, timeBase: { num: 1, den: 90000 } };
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
  it('keeps the frame\'s pixel format: yuv420p dims luma towards 16 and chroma towards 128, bar in luma 235; gray and rgba by bytes, rgba opaque', () => {
    const w = 48, h = 24, ySize = w * h;
    const yuv = { ...gray, width: w, height: h, format: 'yuv420p' as const, data: new Uint8Array(ySize * 1.5).fill(200) };
    const y = loadingFrame(yuv, 'overlay', 700);
    assert.equal(y.format, 'yuv420p');
    assert.equal(y.data.length, ySize * 1.5);
    assert.equal(y.data[0], 16 + ((200 - 16) >> 2));
    assert.equal(y.data[ySize], 128 + ((200 - 128) >> 2));
    assert.ok(y.data.subarray(0, ySize).includes(235), 'the bar is in the luma plane');
    const black = loadingFrame(yuv, 'black', 700);
    assert.deepEqual([black.data[0], black.data[ySize], black.data[ySize * 1.5 - 1]], [16, 128, 128]);
    const g = loadingFrame({ ...yuv, format: 'gray', data: new Uint8Array(ySize).fill(200) }, 'overlay', 700);
    assert.equal(g.data.length, ySize);
    assert.equal(g.data[0], 50);
    const rgba = loadingFrame({ ...yuv, format: 'rgba', data: new Uint8Array(ySize * 4).fill(200) }, 'overlay', 700);
    assert.equal(rgba.data.length, ySize * 4);
    assert.deepEqual([...rgba.data.subarray(0, 4)], [50, 50, 50, 255]);
  });
});
