// text-blur cost at 720p and 1080p on CPU: detector ms and hook ms/fps on decoded frames (vs passthrough and
// red-tint hooks), then end to end through `trickle process` fed in real time (vs passthrough in the same run).
import { cpus } from 'node:os';
import { createSession } from '../../src/models/create-session.js';
import { TextDetector, textDetectorModelPath } from '../../src/models/text-detector.js';
import type { VideoFrame } from '../../src/media/frames.js';
import { resolveParams } from '../../src/processor/params.js';
import type { ProcessorDefinition } from '../../src/processor/types.js';
import passthrough from '../../processors/passthrough.js';
import redTint from '../../processors/red-tint.js';
import textBlur from '../../processors/text-blur.js';
import { FONT } from '../models/text-scene.js';
import { lavfiFrames, processorContext } from '../models/frames.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnFfmpeg } from '../../src/media/ffmpeg.js';
import { spawnCli } from '../helpers/cli.js';
import { startRelay } from '../helpers/relay.js';
import { captureSegments, publishFile } from '../process/media.js';

const FRAMES = Number(process.env.MODELS_BENCH_FRAMES ?? 60);
const E2E_SECONDS = Number(process.env.MODELS_BENCH_SECONDS ?? 6);
const SIZES = [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
];

function scene(w: number, h: number): string {
  const fs = Math.round(h / 9);
  const text = existsSync(FONT)
    ? `,drawtext=fontfile=${FONT}:text='KA 05 MX 1234':fontsize=${fs}:fontcolor=black:box=1:boxcolor=white:boxborderw=${Math.round(fs / 4)}:x=(w-tw)/2+40*sin(t*3):y=h/3`
    : `,drawbox=x=${w / 4}:y=${h / 3}:w=${w / 2}:h=${fs}:color=white:t=fill`;
  return `testsrc2=s=${w}x${h}:r=30${text}`;
}

/** Mean ms per video() call over FRAMES frames cycling through `frames` (copied first: hooks work in place). */
async function hookMs(def: ProcessorDefinition, cli: Record<string, string>, frames: VideoFrame[], paceMs = 0): Promise<number> {
  const params = resolveParams(def, cli);
  const ctx = processorContext(params);
  await def.load?.({ log: ctx.log, device: 'cpu', params, signal: ctx.signal });
  await def.start?.(params, ctx);
  const work = frames.map((f) => ({ ...f, data: new Uint8Array(f.data.length) }));
  try {
    for (let i = 0; i < 4; i++) {
      work[i % work.length].data.set(frames[i % frames.length].data);
      await def.video?.(work[i % work.length], ctx);
    }
    let total = 0;
    for (let i = 0; i < FRAMES; i++) {
      const k = i % frames.length;
      work[k].data.set(frames[k].data);
      // One macrotask turn between frames, as the pipeline's I/O gives (background detections complete here).
      // With paceMs, frames arrive at that interval (background detections need wall time to finish).
      await new Promise((r) => (paceMs > 0 ? setTimeout(r, paceMs) : setImmediate(r)));
      const t0 = performance.now();
      await def.video?.(work[k], ctx);
      total += performance.now() - t0;
    }
    return total / FRAMES;
  } finally {
    await def.stop?.(ctx);
  }
}

async function detectMs(frames: VideoFrame[], detectSize: number): Promise<number> {
  const h = await createSession(textDetectorModelPath(), { device: 'cpu' });
  const det = new TextDetector(h.session);
  try {
    await det.detect(frames[0], { detectSize, threshold: 0.3, margin: 0.5 });
    const n = Math.min(FRAMES, 20);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await det.detect(frames[i % frames.length], { detectSize, threshold: 0.3, margin: 0.5 });
    return (performance.now() - t0) / n;
  } finally {
    det.close();
    await h.close();
  }
}

const fmt = (ms: number) => `${ms.toFixed(2).padStart(7)} ms  ${(1000 / ms).toFixed(0).padStart(6)} fps`;

console.log(`CPU: ${cpus().length} x ${cpus()[0]?.model ?? '?'}; ${FRAMES} frames per figure; device cpu`);
for (const { width, height } of SIZES) {
  const frames = await lavfiFrames(scene(width, height), width, height, 10);
  const base = await hookMs(passthrough as ProcessorDefinition, {}, frames);
  // Each hook gets frames in the format it declares (red-tint: yuv420p).
  const tint = await hookMs(redTint as ProcessorDefinition, {}, await lavfiFrames(scene(width, height), width, height, 10, redTint.format));
  const det = await detectMs(frames, 512);
  const tb1 = await hookMs(textBlur as ProcessorDefinition, { every: '1', async: 'false' }, frames);
  const tb2 = await hookMs(textBlur as ProcessorDefinition, { every: '2', async: 'false' }, frames);
  const tb3 = await hookMs(textBlur as ProcessorDefinition, { every: '3', async: 'false' }, frames);
  const tba = await hookMs(textBlur as ProcessorDefinition, { every: '2', async: 'true' }, frames, 33);
  console.log(`\n${width}x${height}`);
  console.log(`  passthrough hook            ${fmt(Math.max(base, 1e-3))}`);
  console.log(`  red-tint hook               ${fmt(tint)}`);
  console.log(`  detector (512 long side)    ${fmt(det)}   resize+normalise+inference+boxes`);
  console.log(`  text-blur sync every=1      ${fmt(tb1)}   ${(tb1 / tint).toFixed(1)}x red-tint`);
  console.log(`  text-blur sync every=2      ${fmt(tb2)}   ${(tb2 / tint).toFixed(1)}x red-tint; real-time factor at 30 fps ${(1000 / tb2 / 30).toFixed(2)}`);
  console.log(`  text-blur sync every=3      ${fmt(tb3)}   ${(tb3 / tint).toFixed(1)}x red-tint; real-time factor at 30 fps ${(1000 / tb3 / 30).toFixed(2)}`);
  console.log(`  text-blur default (async)   ${fmt(tba)}   ${(tba / tint).toFixed(1)}x red-tint; frames paced at 30 fps, detection in the background`);
}

/** One `trickle process` run on `clip` published in real time; the final stats line's fps, frames and drops. */
async function endToEnd(relayUrl: string, name: string, clip: string, args: string[]): Promise<{ fps: number; out: number; in: number; dropped: number }> {
  const url = (c: string) => `${relayUrl}${name}-${c}`;
  const child = spawnCli(['process', '--in', url('in'), '--out', url('out'), '--wait', '--device', 'cpu', ...args], { timeout: 300_000 });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const abort = new AbortController();
  try {
    const out = captureSegments(url('out'), { signal: abort.signal });
    // Publish once the model is loaded (passthrough has no load() and logs only "processing").
    const ready = args.includes('passthrough') ? /processing/ : /processor loaded/;
    while (!ready.test(stderr) && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    // Let the --wait subscription (polls every 250 ms) attach before segment 0 exists.
    await new Promise((r) => setTimeout(r, 1000));
    await publishFile(url('in'), clip, { re: true });
    await child;
    await out;
    const m = /out ([\d.]+) fps · frames (\d+)\/(\d+) · dropped (\d+)/.exec(stderr);
    if (!m) throw new Error(`no stats line from trickle process:\n${stderr}`);
    return { fps: Number(m[1]), out: Number(m[2]), in: Number(m[3]), dropped: Number(m[4]) };
  } finally {
    child.kill();
    abort.abort();
  }
}

const relay = await startRelay();
const dir = mkdtempSync(path.join(tmpdir(), 'trickle-models-bench-'));
try {
  console.log(`\nend to end: trickle process on a ${E2E_SECONDS} s 30 fps clip published in real time (-re), CPU`);
  for (const { width, height } of SIZES) {
    const clip = path.join(dir, `${height}.ts`);
    const enc = spawnFfmpeg(['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', scene(width, height), '-t', String(E2E_SECONDS), '-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '0', '-g', '60', '-pix_fmt', 'yuv420p', '-f', 'mpegts', clip], { stdin: 'ignore', stdout: 'ignore' });
    if ((await enc).exitCode !== 0) throw new Error('could not encode the bench clip');
    const base = await endToEnd(relay.url, `p${height}`, clip, ['--processor', 'passthrough']);
    const tb = await endToEnd(relay.url, `t${height}`, clip, ['--processor', 'text-blur', '--param', 'async=false']);
    const tba = await endToEnd(relay.url, `a${height}`, clip, ['--processor', 'text-blur']);
    const line = (label: string, r: typeof base) =>
      `  ${label.padEnd(26)} out ${r.fps.toFixed(1).padStart(5)} fps  frames ${r.out}/${r.in}  dropped ${r.dropped}  share of frames out vs passthrough ${(r.out / Math.max(1, r.in) / Math.max(1e-9, base.out / Math.max(1, base.in))).toFixed(2)}`;
    console.log(`${width}x${height}`);
    console.log(line('passthrough', base));
    console.log(line('text-blur sync (every=2)', tb));
    console.log(line('text-blur default (async)', tba));
  }
} finally {
  await relay.close();
  rmSync(dir, { recursive: true, force: true });
}
