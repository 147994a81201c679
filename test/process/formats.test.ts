// `trickle process` with processors that declare a pixel format: the frames they get, and the decoded output of what they write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { relayAndScratch } from './fixture.js';
import { makeClip, videoPts } from './media.js';
import { runProcessOnClip } from './run.js';

const W = 160, H = 120;
let gray: string;
let pattern: string;
const fx = relayAndScratch(async ({ dir }) => {
  gray = path.join(dir, 'gray.ts');
  pattern = path.join(dir, 'pattern.ts');
  await makeClip(gray, { width: W, height: H, rate: 30, seconds: 2, channels: 0, color: 'gray' });
  await makeClip(pattern, { width: W, height: H, rate: 30, seconds: 2, channels: 0 });
});

/** Decodes MPEG-TS (bytes or a file) to raw frames of `pixFmt`, one buffer a frame. */
async function decode(ts: Uint8Array | string, pixFmt: 'gray' | 'yuv420p' | 'rgb24'): Promise<Buffer[]> {
  const input = typeof ts === 'string' ? ['-i', ts] : ['-f', 'mpegts', '-i', 'pipe:0'];
  const r = await execa('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...input, '-map', '0:v:0', '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', pixFmt, 'pipe:1'], {
    input: typeof ts === 'string' ? undefined : Buffer.from(ts),
    encoding: 'buffer',
    maxBuffer: 1 << 28,
  });
  const all = r.stdout as Uint8Array;
  const size = pixFmt === 'rgb24' ? W * H * 3 : pixFmt === 'gray' ? W * H : W * H * 1.5;
  const frames: Buffer[] = [];
  for (let off = 0; off + size <= all.length; off += size) frames.push(Buffer.from(all.subarray(off, off + size)));
  return frames;
}

/** Mean of bytes [from, to) of every frame, over all frames. */
function mean(frames: Buffer[], from: number, to: number, step = 1): number {
  let sum = 0, n = 0;
  for (const f of frames) for (let i = from; i < to; i += step, n++) sum += f[i];
  return sum / n;
}

/**
 * A processor module that declares `format` and, for every frame of exactly that format and
 * byte size, runs `fill` (a function body over `d`, the frame's bytes); any other frame it
 * leaves as it came, which the pixel checks then see.
 */
async function formatProcessor(format: string, bytes: number, fill: string): Promise<string> {
  const file = path.join(fx.dir, `${format}.mjs`);
  const src = `export default {
  name: 'fill-${format}',
  format: '${format}',
  video(frame) {
    if (frame.format !== '${format}' || frame.width !== ${W} || frame.height !== ${H} || frame.data.length !== ${bytes}) return;
    const d = frame.data;
    ${fill}
  },
};
`;
  await writeFile(file, src);
  return file;
}

async function run(name: string, processor: string, clip = gray): Promise<Buffer> {
  const r = await runProcessOnClip({ relayUrl: fx.relay.url, name, clip, processor });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.ok(r.output.length > 0, 'output came out');
  return r.output;
}

const N = W * H;

test('yuv420p: frames of w*h*1.5 bytes; luma 180 and chroma 128 written come out as decoded Y ≈ 180, U ≈ V ≈ 128', async () => {
  const p = await formatProcessor('yuv420p', N * 1.5, `d.fill(180, 0, ${N}); d.fill(128, ${N});`);
  const frames = await decode(await run('yuv', p), 'yuv420p');
  assert.ok(frames.length >= 50, `${frames.length} frames`);
  assert.ok(Math.abs(mean(frames, 0, N) - 180) < 2, `Y ${mean(frames, 0, N)}`);
  assert.ok(Math.abs(mean(frames, N, N * 1.5) - 128) < 2, `UV ${mean(frames, N, N * 1.5)}`);
});

test('gray: frames of w*h bytes; 200 written comes out as decoded gray ≈ 200 (full range) with neutral chroma', async () => {
  const p = await formatProcessor('gray', N, 'd.fill(200);');
  const out = await run('gray', p);
  const g = await decode(out, 'gray');
  assert.ok(Math.abs(mean(g, 0, N) - 200) < 3, `gray ${mean(g, 0, N)}`);
  const yuv = await decode(out, 'yuv420p');
  assert.ok(Math.abs(mean(yuv, N, N * 1.5) - 128) < 2, `UV ${mean(yuv, N, N * 1.5)}`);
});

test('rgba: frames of w*h*4 bytes; (40, 200, 90) with alpha 0 comes out as decoded RGB ≈ (40, 200, 90): alpha is ignored', async () => {
  const p = await formatProcessor('rgba', N * 4, 'for (let i = 0; i < d.length; i += 4) { d[i] = 40; d[i + 1] = 200; d[i + 2] = 90; d[i + 3] = 0; }');
  const rgb = await decode(await run('rgba', p), 'rgb24');
  const [r, g, b] = [0, 1, 2].map((c) => mean(rgb, c, N * 3, 3));
  assert.ok(Math.abs(r - 40) < 6 && Math.abs(g - 200) < 6 && Math.abs(b - 90) < 6, `RGB ${r} ${g} ${b}`);
});

test('rgb24: frames of w*h*3 bytes; (220, 30, 60) comes out as decoded RGB ≈ (220, 30, 60)', async () => {
  const p = await formatProcessor('rgb24', N * 3, 'for (let i = 0; i < d.length; i += 3) { d[i] = 220; d[i + 1] = 30; d[i + 2] = 60; }');
  const rgb = await decode(await run('rgb', p), 'rgb24');
  const [r, g, b] = [0, 1, 2].map((c) => mean(rgb, c, N * 3, 3));
  assert.ok(Math.abs(r - 220) < 6 && Math.abs(g - 30) < 6 && Math.abs(b - 60) < 6, `RGB ${r} ${g} ${b}`);
});

test('a no-op video() in yuv420p keeps the input pixels closer than the same no-op in rgb24, which converts colours both ways; passthrough (transcoded, no hook) keeps them as well', async () => {
  const noop = path.join(fx.dir, 'noop-rgb.mjs');
  await writeFile(noop, "export default { name: 'noop-rgb', video() {} };\n");
  const noopYuv = path.join(fx.dir, 'noop-yuv.mjs');
  await writeFile(noopYuv, "export default { name: 'noop-yuv', format: 'yuv420p', video() {} };\n");
  const input = await decode(pattern, 'yuv420p');
  const inPts = await videoPts(pattern);
  /** Mean absolute difference of luma and of chroma against the input frame of the same pts. */
  const error = async (out: Buffer) => {
    const [frames, pts] = await Promise.all([decode(out, 'yuv420p'), videoPts(out)]);
    let y = 0, c = 0, n = 0;
    frames.forEach((f, i) => {
      const src = input[inPts.indexOf(pts[i])];
      if (!src) return;
      n++;
      for (let j = 0; j < N; j++) y += Math.abs(f[j] - src[j]);
      for (let j = N; j < N * 1.5; j++) c += Math.abs(f[j] - src[j]);
    });
    assert.ok(n >= 50, `${n} frames matched by pts`);
    return { y: y / (n * N), c: c / (n * N * 0.5) };
  };
  const yuv = await error(await run('pass-yuv', noopYuv, pattern));
  const rgb = await error(await run('pass-rgb', noop, pattern));
  const direct = await error(await run('pass-direct', 'passthrough', pattern));
  assert.ok(yuv.y < 3 && yuv.c < 3, `yuv420p no-op luma error ${yuv.y.toFixed(2)}, chroma ${yuv.c.toFixed(2)}`);
  assert.ok(yuv.c < rgb.c, `chroma error: yuv420p ${yuv.c.toFixed(2)} < rgb24 ${rgb.c.toFixed(2)}`);
  assert.ok(direct.y < 3 && direct.c < 3, `passthrough luma error ${direct.y.toFixed(2)}, chroma ${direct.c.toFixed(2)}`);
});
