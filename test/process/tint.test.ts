// `trickle process` end to end: red-tint on decoded output pixels, frame count, PTS, keyframe-first segments.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import type { Relay } from '../../src/relay/index.js';
import { startRelay } from '../helpers/relay.js';
import { average, frameMeans, makeClip, probe, rawFrames, scratch } from './media.js';
import { runProcessOnClip } from './run.js';
import { execa } from 'execa';

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

/** The mean R, G and B of rows [from, to) of 160-wide rgb24 frames, over all frames. */
function regionMeans(frames: Uint8Array[], from: number, to: number): number[] {
  const sum = [0, 0, 0];
  let n = 0;
  for (const f of frames) {
    for (let i = from * 160 * 3; i < to * 160 * 3; i += 3) {
      sum[0] += f[i];
      sum[1] += f[i + 1];
      sum[2] += f[i + 2];
      n++;
    }
  }
  return sum.map((x) => x / n);
}

test('red-tint in yuv420p gives the colours of the same tint done on rgb24 frames: red clamps at white, rises in full on dark blue; constant YUV offsets would turn white pink', async () => {
  // Top half white (R already 255: nothing to add), bottom half dark blue (R 32: +153 in full).
  const clip2 = path.join(dir, 'white-over-blue.ts');
  await execa('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=white:size=160x120:rate=30:duration=2,drawbox=x=0:y=60:w=160:h=60:color=0x204080:t=fill', '-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '0', '-g', '30', '-pix_fmt', 'yuv420p', '-f', 'mpegts', clip2]);
  const rgbWay = path.join(dir, 'rgb-red-tint.mjs');
  await writeFile(rgbWay, `export default { name: 'rgb-red-tint', format: 'rgb24', video(f) { const d = f.data; for (let i = 0; i < d.length; i += 3) d[i] = Math.min(255, d[i] + 153); } };\n`);
  // Red's share of +153 added to Y, U and V of every pixel, whether red has room or not.
  const constant = path.join(dir, 'constant-red-tint.mjs');
  await writeFile(
    constant,
    `export default { name: 'constant', format: 'yuv420p', video(f) { const n = f.width * f.height, c = n / 4, d = f.data;
      for (let i = 0; i < n; i++) d[i] = Math.min(255, d[i] + 39);
      for (let i = n; i < n + c; i++) d[i] = Math.max(0, d[i] - 23);
      for (let i = n + c; i < n + 2 * c; i++) d[i] = Math.min(255, d[i] + 67); } };\n`,
  );
  const decoded = async (name: string, processor: string) => {
    const r = await runProcessOnClip({ relayUrl: relay.url, name, clip: clip2, processor, args: ['--param', 'intensity=0.6'] });
    assert.equal(r.exitCode, 0, r.stderr);
    const frames = await rawFrames(r.output, 160, 120);
    assert.ok(frames.length >= 55, `${name}: ${frames.length} of 60 frames`);
    // Away from the edge between the halves (and the chroma blocks across it).
    return { top: regionMeans(frames, 8, 52), bottom: regionMeans(frames, 68, 112) };
  };
  const input = await decoded('tint-none', 'passthrough');
  const reference = await decoded('tint-rgb', rgbWay);
  const builtIn = await decoded('tint-yuv', 'red-tint');
  const offsets = await decoded('tint-constant', constant);
  const fmt = (m: number[]) => m.map((x) => x.toFixed(1)).join(',');
  const report = `input ${fmt(input.top)} / ${fmt(input.bottom)}; rgb24 ${fmt(reference.top)} / ${fmt(reference.bottom)}; yuv420p ${fmt(builtIn.top)} / ${fmt(builtIn.bottom)}; constant offsets ${fmt(offsets.top)} / ${fmt(offsets.bottom)}`;
  // What adding 153 to red means: white stays white, dark blue's red goes from 32 to 185.
  const expected = { top: input.top, bottom: [input.bottom[0] + 153, input.bottom[1], input.bottom[2]] };
  for (const [name, got] of [['rgb24', reference], ['yuv420p', builtIn]] as const) {
    for (const half of ['top', 'bottom'] as const) {
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(got[half][c] - expected[half][c]) <= 4, `${name} ${half} channel ${c}: ${report}`);
    }
  }
  // Offsets that ignore the clamp push white's luma past its top: green and blue fall.
  assert.ok(Math.min(offsets.top[1], offsets.top[2]) < input.top[1] - 12, report);
});
