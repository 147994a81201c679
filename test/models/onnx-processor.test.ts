// The `onnx` built-in, hooks called directly on real decoded frames with real onnxruntime (CPU).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withFlags } from '../../src/cli/field-flags.js';
import { isTrickleError } from '../../src/errors.js';
import { resizeRgb } from '../../src/image/resize.js';
import type { VideoFrame } from '../../src/media/frames.js';
import { resolveParams } from '../../src/processor/params.js';
import type { ProcessorDefinition } from '../../src/processor/types.js';
import onnxProcessor from '../../processors/onnx.js';
import { conv3x3Graph, modelDir, redMaskGraph, tintGraph, tintNhwcGraph, wrongRankGraph } from '../helpers/onnx-graphs.js';
import { cloneFrame, lavfiFrames, processorContext } from './frames.js';

const W = 160;
const H = 120;
const models = modelDir();
let frame: VideoFrame;

before(async () => {
  [frame] = await lavfiFrames(`testsrc2=s=${W}x${H}:r=10`, W, H, 1);
});
after(() => models.cleanup());

/** Loads a fresh copy of the processor module state (the module caches its model per process). */
async function freshOnnx(): Promise<ProcessorDefinition> {
  const url = new URL(`../../processors/onnx.js?fresh=${Math.random()}`, import.meta.url);
  return ((await import(url.href)) as { default: ProcessorDefinition }).default;
}

/** Runs load → start → video on a copy of `input` and returns the resulting frame. */
async function runOnce(def: ProcessorDefinition, cli: Record<string, string>, input: VideoFrame): Promise<VideoFrame> {
  const params = resolveParams(def, cli);
  const ctx = processorContext(params);
  await def.load!({ log: ctx.log, device: 'cpu', params, signal: ctx.signal });
  await def.start!(params, ctx);
  try {
    const out = await def.video!(cloneFrame(input), ctx);
    assert.ok(out, 'video() returned a frame');
    return out;
  } finally {
    await def.stop!(ctx);
  }
}

function maxDiff(a: Uint8Array, b: Uint8Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('onnx processor', () => {
  it('has the documented defaults', () => {
    assert.equal(onnxProcessor.name, 'onnx');
    assert.deepEqual(
      { layout: onnxProcessor.params?.layout, range: onnxProcessor.params?.range, output: onnxProcessor.params?.output, size: onnxProcessor.params?.size },
      { layout: 'nchw', range: 1, output: 'image', size: 'model' },
    );
  });

  it('replaces the frame with a tint graph output (R + 0.2, clipped), pixel for pixel', async () => {
    const model = models.write('tint.onnx', tintGraph([0.2, 0, 0]));
    const out = await runOnce(await freshOnnx(), { model }, frame);
    assert.equal(out.width, W);
    assert.equal(out.pts, frame.pts);
    const want = frame.data.map((v, i) => (i % 3 === 0 ? Math.min(255, v + 51) : v));
    assert.ok(maxDiff(out.data, want) <= 1, `max diff ${maxDiff(out.data, want)}`);
    assert.ok(maxDiff(out.data, frame.data) >= 50, 'the frame changed');
  });

  it('runs a 3x3 convolution graph (edge kernel, zero padding) matching a JS reference within ±1', async () => {
    const k = [0, -1, 0, -1, 4, -1, 0, -1, 0];
    const model = models.write('edge.onnx', conv3x3Graph(k));
    const out = await runOnce(await freshOnnx(), { model }, frame);
    const want = new Uint8Array(W * H * 3);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        for (let c = 0; c < 3; c++) {
          let s = 0;
          for (let dy = -1; dy <= 1; dy++)
            for (let dx = -1; dx <= 1; dx++) {
              const yy = y + dy;
              const xx = x + dx;
              if (yy >= 0 && yy < H && xx >= 0 && xx < W) s += k[(dy + 1) * 3 + dx + 1] * frame.data[(yy * W + xx) * 3 + c];
            }
          want[(y * W + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(s)));
        }
    assert.ok(maxDiff(out.data, want) <= 1, `max diff ${maxDiff(out.data, want)}`);
  });

  it('takes layout=nhwc and range=255', async () => {
    const model = models.write('tint-nhwc.onnx', tintNhwcGraph([0, 0, 0.2]));
    const out = await runOnce(await freshOnnx(), { model, layout: 'nhwc' }, frame);
    const want = frame.data.map((v, i) => (i % 3 === 2 ? Math.min(255, v + 51) : v));
    assert.ok(maxDiff(out.data, want) <= 1, `nhwc max diff ${maxDiff(out.data, want)}`);
    const tint255 = models.write('tint-255.onnx', tintGraph([0, 0, 0]));
    // With range=255 the graph's Clip(0,1) sees 0..255 values: 0 stays 0, everything else becomes 1 (of 255).
    const out255 = await runOnce(await freshOnnx(), { model: tint255, range: '255' }, frame);
    const clipped = frame.data.map((v) => (v === 0 ? 0 : 1));
    assert.ok(maxDiff(out255.data, clipped) <= 0, 'range=255 feeds 0..255 values and reads them back in 0..255');
  });

  it('applies mean/std and undoes them on the way back (identity stays identity)', async () => {
    const model = models.write('id.onnx', tintGraph([0, 0, 0]));
    // Clip(0,1) after normalising by mean 0.5/std 0.5 keeps only the upper half: v>=128 round-trips, lower becomes 128.
    const out = await runOnce(await freshOnnx(), { model, mean: '0.5,0.5,0.5', std: '0.5' }, frame);
    const want = frame.data.map((v) => Math.max(v, 128));
    assert.ok(maxDiff(out.data, want) <= 1, `max diff ${maxDiff(out.data, want)}`);
  });

  it('resizes frames to a fixed model input (size=model) and the output back to the frame size', async () => {
    const model = models.write('tint-fixed.onnx', tintGraph([0.2, 0, 0], { width: 48, height: 32 }));
    const out = await runOnce(await freshOnnx(), { model }, frame);
    assert.equal(out.width, W);
    assert.equal(out.height, H);
    const small = resizeRgb(frame.data, W, H, 48, 32);
    const tinted = small.map((v, i) => (i % 3 === 0 ? Math.min(255, v + 51) : v));
    const want = resizeRgb(tinted, 48, 32, W, H);
    assert.ok(maxDiff(out.data, want) <= 1, `max diff ${maxDiff(out.data, want)}`);
  });

  it('blends a colour where a mask output is high (output=mask, blend, alpha)', async () => {
    const model = models.write('red-mask.onnx', redMaskGraph());
    const out = await runOnce(await freshOnnx(), { model, output: 'mask', blend: '0,255,0', alpha: '1' }, frame);
    for (let i = 0; i < W * H; i++) {
      const r = frame.data[i * 3] / 255;
      for (let c = 0; c < 3; c++) {
        const v = frame.data[i * 3 + c];
        const want = v + ((c === 1 ? 255 : 0) - v) * r;
        assert.ok(Math.abs(out.data[i * 3 + c] - want) <= 1, `pixel ${i} channel ${c}: ${out.data[i * 3 + c]} vs ${want}`);
      }
    }
  });

  it('refuses a model whose input does not fit, naming expected and actual shapes', async () => {
    const model = models.write('rank3.onnx', wrongRankGraph());
    const def = await freshOnnx();
    const params = resolveParams(def, { model });
    const ctx = processorContext(params);
    await assert.rejects(Promise.resolve(def.load!({ log: ctx.log, device: 'cpu', params, signal: ctx.signal })), (err: unknown) => {
      assert.ok(isTrickleError(err, 'TRICKLE_MODEL'), String(err));
      assert.match(err.message, /expected float32\[1,3,H,W\]/);
      assert.match(err.message, /got float32\[1,3,8\]/);
      assert.match(err.message, /input "x"/);
      return true;
    });
  });

  it('asks for the model param when it is missing (params.model in core, --param model on the command line)', async () => {
    const def = await freshOnnx();
    const params = resolveParams(def, {});
    const ctx = processorContext(params);
    await assert.rejects(Promise.resolve(def.load!({ log: ctx.log, device: 'cpu', params, signal: ctx.signal })), (err: unknown) => {
      assert.ok(isTrickleError(err, 'TRICKLE_USAGE'));
      assert.match(err.message, /needs params\.model=PATH/);
      assert.match(withFlags(err).message, /needs --param model=PATH/);
      return true;
    });
  });
});
