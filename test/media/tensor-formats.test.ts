// frameToTensor/tensorToFrame for every pixel format: tensor shapes and values, and the round trip back to the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameBytes, frameToTensor, tensorLength, tensorToFrame, TIME_BASE_90K, type PixelFormat, type VideoFrame } from '../../src/media/frames.js';

const W = 5, H = 3; // odd sizes: yuv420p chroma planes are 3x2

function frameOf(format: PixelFormat): VideoFrame {
  const data = new Uint8Array(frameBytes(format, W, H)).map((_, i) => (i * 37 + 11) & 0xff);
  // rgba's alpha does not reach the tensor; the frame that comes back is opaque.
  if (format === 'rgba') for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return { data, format, width: W, height: H, pts: 4500, timeBase: TIME_BASE_90K };
}

test('frame bytes: w*h*3, *4, w*h + 2*ceil(w/2)*ceil(h/2), w*h', () => {
  assert.deepEqual(['rgb24', 'rgba', 'yuv420p', 'gray'].map((f) => frameBytes(f as PixelFormat, W, H)), [45, 60, 15 + 2 * 6, 15]);
  assert.equal(frameBytes('yuv420p', 512, 512), 512 * 512 * 1.5);
});

for (const format of ['rgb24', 'rgba', 'yuv420p', 'gray'] as const) {
  test(`${format}: frameToTensor then tensorToFrame gives the same bytes, format and pts (scale 1 and 255, with mean/std, both layouts)`, () => {
    const f = frameOf(format);
    for (const tf of [{}, { scale: 255 as const }, { mean: [0.5, 0.4, 0.3] as const, std: [0.2, 0.25, 0.3] as const }, { layout: 'nhwc' as const }]) {
      const t = frameToTensor(f, tf);
      assert.equal(t.length, tensorLength(format, W, H));
      const back = tensorToFrame(t, f, tf);
      assert.equal(back.format, format);
      assert.equal(back.pts, 4500);
      assert.deepEqual([...back.data], [...f.data], JSON.stringify(tf));
    }
  });
}

test('rgba tensors hold R,G,B only (planar by default); gray and yuv420p tensors are the planes in order', () => {
  const rgba = frameOf('rgba');
  const t = frameToTensor(rgba);
  assert.equal(t.length, W * H * 3);
  assert.equal(t[0], Math.fround(rgba.data[0] / 255));
  assert.equal(t[W * H], Math.fround(rgba.data[1] / 255), 'G plane after R');
  assert.equal(t[1], Math.fround(rgba.data[4] / 255), 'the second pixel skips alpha');

  const yuv = frameOf('yuv420p');
  const ty = frameToTensor(yuv, { scale: 255, mean: [16, 128, 128] });
  assert.equal(ty.length, W * H + 12);
  assert.equal(ty[0], yuv.data[0] - 16, 'Y with mean[0]');
  assert.equal(ty[W * H], yuv.data[W * H] - 128, 'U with mean[1]');
  assert.equal(ty[W * H + 6], yuv.data[W * H + 6] - 128, 'V with mean[2]');

  const gray = frameOf('gray');
  assert.deepEqual([...frameToTensor(gray, { scale: 255 })], [...gray.data]);
});

test('tensorToFrame clamps and rounds, sets rgba opaque, and takes another size', () => {
  const gray = frameOf('gray');
  const out = tensorToFrame(Float32Array.from([-0.5, 0.5, 2, 0.2]), gray, {}, { width: 2, height: 2 });
  assert.deepEqual([...out.data], [0, 128, 255, 51]);
  assert.equal(out.width, 2);
  const rgba = tensorToFrame(new Float32Array(12).fill(1), frameOf('rgba'), {}, { width: 2, height: 2 });
  assert.deepEqual([...rgba.data], new Array(16).fill(255));
  assert.throws(() => tensorToFrame(new Float32Array(10), frameOf('yuv420p')), RangeError);
});
