// The tints' per-frame cost on testsrc2 frames in yuv420p: the WebAssembly SIMD kernel (as red-tint
// runs it) against the table-driven loop alone, in the same process, in alternating rounds; the
// kernel also on frames packed into one large allocation (simdPackedMsPerFrame).
// Env: TINT_BENCH_ROUNDS (default 5), TINT_BENCH_FRAMES (default 60 a round).
import { tintYuv } from '../../processors/red-tint.js';
import { frameBytes } from '../../src/media/pixel-format.js';
import { TIME_BASE_90K, type VideoFrame } from '../../src/media/frames.js';
import { readFile } from 'node:fs/promises';
import { ffmpeg, tempDir } from '../helpers/media-gen.js';

const ROUNDS = Number(process.env.TINT_BENCH_ROUNDS ?? 5);
const FRAMES = Number(process.env.TINT_BENCH_FRAMES ?? 60);
const SIZES = [
  [512, 512],
  [1280, 720],
];

async function testsrc(width: number, height: number, count: number): Promise<Uint8Array[]> {
  const tmp = await tempDir('trickle-tint-bench-');
  const file = tmp.file('frames.yuv');
  await ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=30`, '-frames:v', String(count), '-pix_fmt', 'yuv420p', '-f', 'rawvideo', file]);
  const all = await readFile(file);
  await tmp.cleanup();
  const size = frameBytes('yuv420p', width, height);
  return Array.from({ length: count }, (_, i) => all.slice(i * size, (i + 1) * size));
}

/**
 * The frames a round tints. `own`: each in its own allocation, as the decoder's frame pool makes
 * them. `packed`: views one after another into one large allocation (`into`, reused every round),
 * so every frame starts where a large mapped allocation does modulo 4 KiB (a page plus 16 bytes,
 * glibc), the placement that makes a plain copy to or from a page-aligned block slow (4K aliasing).
 */
function framesOf(source: Uint8Array[], width: number, height: number, placement: 'own' | 'packed', into: Buffer): VideoFrame[] {
  return source.map((d, i) => {
    const data = placement === 'own' ? Buffer.allocUnsafeSlow(d.length) : into.subarray(i * d.length, (i + 1) * d.length);
    data.set(d);
    return { data, format: 'yuv420p', width, height, pts: 0, timeBase: TIME_BASE_90K };
  });
}

function msPerFrame(frames: VideoFrame[], kernel: 'auto' | 'tables'): number {
  const state = {};
  tintYuv(frames[0]!, 'red', 77, state, kernel); // tables built outside the timing
  const t0 = process.hrtime.bigint();
  for (const f of frames) tintYuv(f, 'red', 77, state, kernel);
  return Number(process.hrtime.bigint() - t0) / 1e6 / frames.length;
}

for (const [w, h] of SIZES) {
  const source = await testsrc(w!, h!, FRAMES);
  const packed = Buffer.allocUnsafeSlow(source.length * source[0]!.length); // allocated once: a freed one would move the next
  const simd: number[] = [];
  const simdPacked: number[] = [];
  const tables: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    simd.push(msPerFrame(framesOf(source, w!, h!, 'own', packed), 'auto'));
    simdPacked.push(msPerFrame(framesOf(source, w!, h!, 'packed', packed), 'auto'));
    tables.push(msPerFrame(framesOf(source, w!, h!, 'own', packed), 'tables'));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const ratios = simd.map((s, i) => tables[i]! / s);
  console.log(
    JSON.stringify({
      size: `${w}x${h}`,
      simdMsPerFrame: +median(simd).toFixed(3),
      simdPackedMsPerFrame: +median(simdPacked).toFixed(3),
      tablesMsPerFrame: +median(tables).toFixed(3),
      speedup: +median(ratios).toFixed(2),
      rounds: ROUNDS,
      framesPerRound: FRAMES,
    }),
  );
}
