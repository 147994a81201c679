// `trickle process` end to end: red-tint on decoded output pixels, frame count, PTS, keyframe-first segments.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Relay } from '../../src/relay/index.js';
import { startRelay } from '../helpers/relay.js';
import { average, frameMeans, makeClip, probe, scratch } from './media.js';
import { runProcessOnClip } from './run.js';

let relay: Relay;
let dir: string;
let cleanup: () => Promise<void>;
let clip: string;

before(async () => {
  relay = await startRelay();
  ({ dir, cleanup } = await scratch());
  clip = path.join(dir, 'in.ts');
  // Mid-gray: tint arithmetic is easy to see and nothing clamps.
  await makeClip(clip, { width: 160, height: 120, rate: 30, seconds: 4, channels: 2, color: 'gray' });
});

after(async () => {
  await relay?.close();
  await cleanup?.();
});

test('red-tint raises decoded R by ≈ intensity*255 while G and B stay; every frame and PTS comes out', async () => {
  const r = await runProcessOnClip({ relayUrl: relay.url, name: 'tint', clip, processor: 'red-tint', args: ['--param', 'intensity=0.3'] });
  assert.equal(r.exitCode, 0, r.stderr);
  const input = average(await frameMeans(clip, 160, 120));
  const frames = await frameMeans(r.output, 160, 120);
  const output = average(frames);
  assert.ok(Math.abs(output.r - input.r - 0.3 * 255) < 12, `R ${input.r.toFixed(1)} → ${output.r.toFixed(1)}`);
  assert.ok(output.g <= input.g + 4 && output.b <= input.b + 4, `G ${input.g.toFixed(1)}→${output.g.toFixed(1)} B ${input.b.toFixed(1)}→${output.b.toFixed(1)}`);

  const [pin, pout] = await Promise.all([probe(clip), probe(r.output)]);
  const vin = pin.streams.findIndex((s) => s.codec_type === 'video');
  const vout = pout.streams.findIndex((s) => s.codec_type === 'video');
  const ptsIn = pin.packets.filter((p) => p.stream === vin).map((p) => p.pts).sort((a, b) => a - b);
  const ptsOut = pout.packets.filter((p) => p.stream === vout).map((p) => p.pts).sort((a, b) => a - b);
  assert.ok(ptsOut.length >= 0.95 * ptsIn.length, `${ptsOut.length} of ${ptsIn.length} frames out`);
  const inSet = new Set(ptsIn);
  assert.ok(ptsOut.every((p) => inSet.has(p)), `output pts not in input: ${ptsOut.filter((p) => !inSet.has(p)).slice(0, 5)}`);
  assert.ok(pout.streams.some((s) => s.codec_type === 'audio' && s.channels === 2), 'stereo audio kept');

  // Every segment starts with a keyframe and decodes on its own.
  assert.ok(r.segments.length >= 2, `${r.segments.length} segments`);
  for (const [i, seg] of r.segments.entries()) {
    const p = await probe(seg);
    const v = p.streams.findIndex((s) => s.codec_type === 'video');
    const first = p.packets.find((x) => x.stream === v);
    assert.ok(first?.key, `segment ${i} starts with a keyframe`);
    assert.ok((await frameMeans(seg, 160, 120)).length > 0, `segment ${i} decodes alone`);
  }
});
