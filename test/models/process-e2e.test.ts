// Model processors through the real `trickle process` and relay: onnx tint pixels, text-blur, --device errors.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Relay } from '../../src/relay/index.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { tintGraph } from '../helpers/onnx-graphs.js';
import { startRelay } from '../helpers/relay.js';
import { probeProviders } from '../../src/models/providers.js';
import { spawnFfmpeg } from '../../src/media/ffmpeg.js';
import { average, captureSegments, frameMeans, makeClip, publishFile, scratch } from '../process/media.js';
import { laplacianEnergy, PLATE, textScenes } from './text-scene.js';

const cudaLoads = (await probeProviders()).find((p) => p.name === 'cuda')?.loads ?? false;

let relay: Relay;
let dir: string;
let cleanup: () => Promise<void>;
let tintModel: string;

before(async () => {
  relay = await startRelay();
  ({ dir, cleanup } = await scratch());
  tintModel = path.join(dir, 'tint.onnx');
  writeFileSync(tintModel, tintGraph([0.2, 0, 0]));
});
after(async () => {
  await relay?.close();
  await cleanup?.();
});

/** Runs `trickle process`, publishes `clip` once the processor has loaded (so no frame passes untouched), returns output bytes. */
async function processClip(name: string, clip: string, args: string[]): Promise<{ exitCode: number; stderr: string; output: Buffer }> {
  const url = (c: string) => `${relay.url}${name}-${c}`;
  const child = spawnCli(['process', '--in', url('in'), '--out', url('out'), '--wait', ...args], { timeout: 180_000 });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  // Ends the output capture (which waits for its channel) when the run fails before publishing.
  const abort = new AbortController();
  const out = captureSegments(url('out'), { signal: abort.signal });
  out.catch(() => {});
  try {
    const deadline = Date.now() + 120_000;
    while (!/processor loaded/.test(stderr) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(stderr, /processor loaded/, 'the processor loaded');
    // Real-time pacing, as a live source: the leaky queue only drops frames when the machine falls behind.
    await publishFile(url('in'), clip, { re: true });
    const r = await child;
    const segments = await out;
    return { exitCode: r.exitCode ?? -1, stderr, output: Buffer.concat(segments) };
  } finally {
    child.kill();
    abort.abort();
  }
}

/** Decodes MPEG-TS bytes or a file to rgb24 frames of width x height. */
async function decode(ts: Buffer | string, width: number, height: number): Promise<Uint8Array[]> {
  const input = typeof ts === 'string' ? ['-i', ts] : ['-f', 'mpegts', '-i', 'pipe:0'];
  const child = spawnFfmpeg(['-loglevel', 'error', ...input, '-map', '0:v:0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], {
    stdin: typeof ts === 'string' ? 'ignore' : 'pipe',
  });
  if (typeof ts !== 'string') child.stdin!.end(ts);
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => chunks.push(c));
  await child;
  const all = Buffer.concat(chunks);
  const size = width * height * 3;
  const frames: Uint8Array[] = [];
  for (let off = 0; off + size <= all.length; off += size) frames.push(new Uint8Array(all.subarray(off, off + size)));
  return frames;
}

describe('models end to end through trickle process', () => {
  it('--processor onnx with a tint graph raises R by 0.2 of full scale on every frame; --device auto warns once', async () => {
    const clip = path.join(dir, 'gray.ts');
    await makeClip(clip, { width: 160, height: 120, rate: 30, seconds: 2, channels: 0, color: 'gray' });
    const r = await processClip('onnx', clip, ['--processor', 'onnx', '--param', `model=${tintModel}`, '--device', 'auto']);
    assert.equal(r.exitCode, 0, r.stderr);
    const input = await frameMeans(clip, 160, 120);
    const frames = await frameMeans(r.output, 160, 120);
    // A loaded test machine may drop a few frames (leaky queue); every frame that comes out must be tinted.
    assert.ok(frames.length >= 0.8 * input.length, `${frames.length} of ${input.length} frames out`);
    const inAvg = average(input);
    for (const [i, f] of frames.entries()) {
      assert.ok(Math.abs(f.r - inAvg.r - 51) <= 4, `frame ${i}: R ${inAvg.r.toFixed(1)} → ${f.r.toFixed(1)}`);
      assert.ok(Math.abs(f.g - inAvg.g) <= 3 && Math.abs(f.b - inAvg.b) <= 4, `frame ${i}: G ${f.g.toFixed(1)} B ${f.b.toFixed(1)}`);
    }
    if (!cudaLoads) {
      const warnings = r.stderr.split('\n').filter((l) => /CUDA unavailable/.test(l));
      assert.equal(warnings.length, 1, r.stderr);
      assert.match(warnings[0], /running models on CPU/);
    }
  });

  it('--device cuda without a usable GPU exits non-zero naming CUDA and how to install it', { skip: cudaLoads && 'CUDA loads here' }, async () => {
    const r = await runCli(['process', '--in', `${relay.url}nogpu-in`, '--out', `${relay.url}nogpu-out`, '--wait', '--processor', 'onnx', '--param', `model=${tintModel}`, '--device', 'cuda'], {
      timeout: 120_000,
    });
    assert.notEqual(r.exitCode, 0);
    assert.match(r.stderr, /CUDA is not usable/);
    assert.match(r.stderr, /npm run setup:gpu/);
  });

  it('--processor text-blur blurs the number plate of a streamed clip and leaves the rest', async () => {
    const scene = textScenes()[0];
    const clip = path.join(dir, 'plate.ts');
    const encoded = spawnFfmpeg(
      ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', scene.source, '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-bf', '0', '-g', '10', '-pix_fmt', 'yuv420p', '-f', 'mpegts', clip],
      { stdin: 'ignore', stdout: 'ignore' },
    );
    assert.equal((await encoded).exitCode, 0);
    const r = await processClip('plate', clip, ['--processor', 'text-blur', '--param', 'every=1', '--device', 'cpu']);
    assert.equal(r.exitCode, 0, r.stderr);
    const input = await decode(clip, 640, 360);
    const output = await decode(r.output, 640, 360);
    // The scene is static, so output frame i compares with input frame i even if a frame was dropped.
    assert.ok(output.length >= 0.5 * input.length, `${output.length} of ${input.length} frames out`);
    for (const [i, out] of output.entries()) {
      const inside = laplacianEnergy(out, 640, 360, PLATE, true) / laplacianEnergy(input[i], 640, 360, PLATE, true);
      const outside = laplacianEnergy(out, 640, 360, PLATE, false, 40) / laplacianEnergy(input[i], 640, 360, PLATE, false, 40);
      assert.ok(inside < 0.4, `frame ${i}: plate energy ratio ${inside.toFixed(2)}`);
      assert.ok(Math.abs(outside - 1) < 0.1, `frame ${i}: energy ratio off the plate ${outside.toFixed(3)}`);
    }
  });
});
