// The `text-blur` built-in on generated frames with text: the PP-OCR detector finds the plate and only the plate is blurred.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSession } from '../../src/models/create-session.js';
import { detectorSize, TextDetector, textDetectorModelPath } from '../../src/models/text-detector.js';
import { resolveParams } from '../../src/processor/params.js';
import type { ProcessorDefinition } from '../../src/processor/types.js';
import textBlurModule from '../../processors/text-blur.js';
import { cloneFrame, lavfiFrames, processorContext } from './frames.js';
import { laplacianEnergy, PLATE, textScenes } from './text-scene.js';

const textBlur = textBlurModule as ProcessorDefinition;
const W = 640;
const H = 360;

describe('text-blur', () => {
  it('sizes the detector input to multiples of 32 with the long side at detectSize', () => {
    assert.deepEqual(detectorSize(1280, 720, 512), { width: 512, height: 288 });
    assert.deepEqual(detectorSize(1920, 1080, 640), { width: 640, height: 352 });
    assert.deepEqual(detectorSize(720, 1280, 512), { width: 288, height: 512 });
  });

  for (const scene of textScenes()) {
    it(`detects the plate (${scene.name}) in the probability map`, async () => {
      const [frame] = await lavfiFrames(scene.source, W, H, 1);
      const h = await createSession(textDetectorModelPath(), { device: 'cpu' });
      const det = new TextDetector(h.session);
      try {
        const boxes = await det.detect(frame, { detectSize: 512, threshold: 0.3, margin: 0.5 });
        const map = det.lastMap!;
        // Mean probability inside the plate vs outside it, in map pixels.
        const sx = map.width / W;
        const sy = map.height / H;
        let inSum = 0, inN = 0, outSum = 0, outN = 0;
        for (let y = 0; y < map.height; y++)
          for (let x = 0; x < map.width; x++) {
            const fx = x / sx, fy = y / sy;
            const inside = fx >= PLATE.x && fx < PLATE.x + PLATE.width && fy >= PLATE.y && fy < PLATE.y + PLATE.height;
            if (inside) (inSum += map.data[y * map.width + x]), inN++;
            else (outSum += map.data[y * map.width + x]), outN++;
          }
        assert.ok(inSum / inN > 0.15, `mean text probability on the plate ${(inSum / inN).toFixed(3)}`);
        assert.ok(outSum / outN < 0.01, `mean text probability off the plate ${(outSum / outN).toFixed(4)}`);
        assert.ok(boxes.length >= 1, 'at least one box');
        for (const b of boxes) {
          const cx = b.x + b.width / 2;
          const cy = b.y + b.height / 2;
          assert.ok(cx > PLATE.x && cx < PLATE.x + PLATE.width && cy > PLATE.y && cy < PLATE.y + PLATE.height, `box ${JSON.stringify(b)} centred on the plate`);
        }
      } finally {
        det.close();
        await h.close();
      }
    });
  }

  it('blurs the text region (high-frequency energy drops below 40%) and leaves the rest as it was', async () => {
    const scene = textScenes()[0];
    const frames = await lavfiFrames(scene.source, W, H, 2);
    const params = resolveParams(textBlur, { every: '2', async: 'false' });
    const ctx = processorContext(params);
    await textBlur.load!({ log: ctx.log, device: 'cpu', params, signal: ctx.signal });
    await textBlur.start!(params, ctx);
    try {
      for (const [i, input] of frames.entries()) {
        const out = (await textBlur.video!(cloneFrame(input), ctx)) ?? input;
        const before = laplacianEnergy(input.data, W, H, PLATE, true);
        const after = laplacianEnergy(out.data, W, H, PLATE, true);
        assert.ok(after < 0.4 * before, `frame ${i}: plate energy ${after.toFixed(0)} vs ${before.toFixed(0)} before`);
        const outBefore = laplacianEnergy(input.data, W, H, PLATE, false, 40);
        const outAfter = laplacianEnergy(out.data, W, H, PLATE, false, 40);
        assert.ok(Math.abs(outAfter - outBefore) <= 0.03 * outBefore, `frame ${i}: energy off the plate ${outAfter.toFixed(0)} vs ${outBefore.toFixed(0)}`);
      }
    } finally {
      await textBlur.stop!(ctx);
    }
  });

  it('async=true awaits the first detection, then detects in the background while frames use the latest boxes', async () => {
    const scene = textScenes()[0];
    const frames = await lavfiFrames(scene.source, W, H, 3);
    const params = resolveParams(textBlur, { every: '1', async: 'true' });
    const ctx = processorContext(params);
    await textBlur.start!(params, ctx);
    const state = ctx.state.textBlur as { inflight?: Promise<void> };
    const blurred = (i: number, out: { data: Uint8Array }) => {
      const before = laplacianEnergy(frames[i].data, W, H, PLATE, true);
      const after = laplacianEnergy(out.data, W, H, PLATE, true);
      assert.ok(after < 0.4 * before, `frame ${i}: plate energy ${after.toFixed(0)} vs ${before.toFixed(0)} before`);
    };
    try {
      blurred(0, (await textBlur.video!(cloneFrame(frames[0]), ctx)) ?? frames[0]);
      assert.equal(state.inflight, undefined, 'the first detection was awaited');
      blurred(1, (await textBlur.video!(cloneFrame(frames[1]), ctx)) ?? frames[1]);
      assert.ok(state.inflight, 'the second detection runs in the background');
      const inflight = state.inflight;
      blurred(2, (await textBlur.video!(cloneFrame(frames[2]), ctx)) ?? frames[2]);
      assert.equal(state.inflight, inflight, 'no second detection starts while one is running');
      await inflight;
    } finally {
      await textBlur.stop!(ctx);
    }
  });
});
