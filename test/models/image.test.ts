// Pixel helpers behind the model processors: bilinear resize, region blur, mask → boxes, mask mixing, param parsing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTrickleError } from '../../src/errors.js';
import { blurRect } from '../../src/image/box-blur.js';
import { BoxFinder } from '../../src/image/mask-boxes.js';
import { applyMask, MaskScratch, parseColor } from '../../src/image/mask-mix.js';
import { resizePlane, resizeRgb } from '../../src/image/resize.js';
import { outputGeometry, parseImageModelConfig } from '../../src/models/image-model-config.js';

describe('image helpers', () => {
  it('resizes RGB bilinearly: 2x down averages pixel pairs, constant stays constant, same size copies', () => {
    // 4x1: R values 0, 100, 200, 50 → 2x1 averages 50 and 125.
    const src = Uint8Array.from([0, 0, 0, 100, 0, 0, 200, 0, 0, 50, 0, 0]);
    assert.deepEqual([...resizeRgb(src, 4, 1, 2, 1)], [50, 0, 0, 125, 0, 0]);
    const flat = new Uint8Array(5 * 3 * 3).fill(77);
    assert.ok(resizeRgb(flat, 5, 3, 13, 7).every((v) => v === 77));
    const copy = resizeRgb(src, 4, 1, 4, 1);
    assert.deepEqual([...copy], [...src]);
    assert.deepEqual([...resizePlane(Float32Array.from([0, 1]), 2, 1, 4, 1)], [0, 0.25, 0.75, 1]);
  });

  it('blurs only inside the rectangle and flattens a checkerboard there', () => {
    const w = 40, h = 20;
    const img = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img.fill((x + y) % 2 ? 255 : 0, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const before = img.slice();
    blurRect(img, w, h, { x: 10, y: 5, width: 20, height: 10 }, 3, 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = (y * w + x) * 3;
        const inside = x >= 10 && x < 30 && y >= 5 && y < 15;
        if (!inside) assert.equal(img[i], before[i], `outside pixel ${x},${y} untouched`);
        else if (x >= 14 && x < 26 && y >= 8 && y < 12) assert.ok(Math.abs(img[i] - 127.5) < 20, `inside pixel ${x},${y} = ${img[i]}`);
      }
  });

  it('finds one box per blob, joins close blobs by dilation, drops specks', () => {
    const w = 30, h = 10;
    const prob = new Float32Array(w * h);
    const blob = (x0: number, y0: number, bw: number, bh: number) => {
      for (let y = y0; y < y0 + bh; y++) for (let x = x0; x < x0 + bw; x++) prob[y * w + x] = 0.9;
    };
    blob(2, 2, 4, 3);
    blob(8, 2, 4, 3);
    blob(20, 5, 5, 2);
    prob[0 * w + 28] = 0.9; // a speck
    const finder = new BoxFinder();
    const plain = finder.find(prob, w, h, { threshold: 0.5, minArea: 2 });
    assert.deepEqual(plain, [
      { x: 2, y: 2, width: 4, height: 3 },
      { x: 8, y: 2, width: 4, height: 3 },
      { x: 20, y: 5, width: 5, height: 2 },
    ]);
    const joined = finder.find(prob, w, h, { threshold: 0.5, dilate: 1, minArea: 2 });
    assert.deepEqual(joined[0], { x: 1, y: 1, width: 12, height: 5 });
    assert.equal(joined.length, 2);
    assert.deepEqual(finder.find(new Float32Array(w * h), w, h, { threshold: 0.5 }), []);
  });

  it('mixes toward a colour by the mask weight', () => {
    const data = Uint8Array.from([100, 100, 100, 100, 100, 100]);
    applyMask(data, 2, 1, Float32Array.from([0, 0.5]), { kind: 'blend', color: [200, 0, 100], alpha: 1 }, new MaskScratch());
    assert.deepEqual([...data], [100, 100, 100, 150, 50, 100]);
    assert.deepEqual(parseColor('#ff8000'), [255, 128, 0]);
    assert.deepEqual(parseColor('1, 2, 3'), [1, 2, 3]);
    assert.equal(parseColor(''), undefined);
    assert.throws(() => parseColor('red'), /expected r,g,b/);
  });

  it('parses onnx params and reads output geometry, rejecting what does not fit', () => {
    const cfg = parseImageModelConfig({ layout: 'NHWC', size: '64x32', range: 255, mean: '0.5', std: '0.1,0.2,0.3', output: 'mask', blend: '0,255,0', alpha: 0.25 });
    assert.deepEqual(cfg, {
      layout: 'nhwc',
      size: { width: 64, height: 32 },
      range: 255,
      mean: [0.5, 0.5, 0.5],
      std: [0.1, 0.2, 0.3],
      output: 'mask',
      effect: { kind: 'blend', color: [0, 255, 0], alpha: 0.25 },
    });
    for (const bad of [{ layout: 'chw' }, { size: '64' }, { range: 2 }, { mean: '1,2' }, { output: 'boxes' }, { blend: 'pink' }]) {
      assert.throws(() => parseImageModelConfig(bad), (e: unknown) => isTrickleError(e, 'TRICKLE_USAGE'), JSON.stringify(bad));
    }
    assert.deepEqual(outputGeometry('m', [1, 1, 8, 6], cfg), { width: 6, height: 8, channels: 1 });
    assert.deepEqual(outputGeometry('m', [1, 8, 6, 1], cfg), { width: 6, height: 8, channels: 1 });
    assert.deepEqual(outputGeometry('m', [8, 6], cfg), { width: 6, height: 8, channels: 1 });
    assert.throws(() => outputGeometry('m', [1, 3, 8, 6], cfg), /returned \[1,3,8,6\], expected one channel/);
    const img = parseImageModelConfig({});
    assert.deepEqual(outputGeometry('m', [1, 3, 8, 6], img), { width: 6, height: 8, channels: 3 });
    assert.throws(() => outputGeometry('m', [1, 1, 8, 6], img), (e: unknown) => isTrickleError(e, 'TRICKLE_MODEL'));
  });
});
