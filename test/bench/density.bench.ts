// `npm run bench -- density`: how many real-time 512x512@30 streams one `trickle serve` holds on this
// machine (passthrough, then red-tint), the CPU a frame costs in each process, and the same for a
// baseline measured in the same run: one bare ffmpeg per stream transcoding the same input with the
// same x264 settings.
//
// A step runs n streams at once, each fed in real time from its own channel. A stream holds when it
// keeps ≥ 99 % of the input frames sent after its first 2 s and its p95 latency (input frame sent →
// output frame at the relay) stays ≤ 100 ms; the ramp stops at the first step where one does not.
// A bare ffmpeg holds when it ends no more than 1 s after the clip's duration (it reads with -re,
// so an encoder that cannot keep up finishes late; the second covers its start and final flush).
//
// Each step is also paired with a bare step of the same n run right after it, so a ratio compares
// two measurements a few seconds apart: on a shared machine the load moves between a side's ramp
// and the bare ramp minutes later (the bare ramp still runs at the end, for the streams it holds).
//
// Each side's ramp starts after an unmeasured warm-up step of DENSITY_WARMUP streams (default 2): a
// worker runs for hours, and a fresh Node process spends its first minute half-interpreted, with a
// compiler thread still optimising functions that 30 calls a second make hot only slowly. The
// warm-up step is printed too (its figures are the cold worker's).
//
// Even in a warm worker a new stream's first seconds cost more: stopping the previous streams ran
// code paths their optimised code had never seen (V8 threw that code away), so the per-frame
// functions are compiled again, on a background thread, while they run unoptimised (for ~20 s
// before the stream commands had V8 count such functions again soon; a few seconds since, and less
// once a worker has seen a few streams start and stop: see churn.bench.ts). Bare ffmpeg has no such
// phase. So a step's CPU per frame is given twice: in steady state, from DENSITY_SETTLE
// seconds into the step to its end (the headline figures and ratios, as a stream that runs for
// minutes costs), and from WARMUP_S + 1 s (start-up included, "fromStart").
//
// Each step also prints the worker's garbage collections in the steady window (gcSteady, from its
// /metrics): a worker that collects its old generation every few seconds pays for it in Node's share,
// and so does one where V8's memory reducer collected (reducing): that collection throws optimized
// code away, and it is compiled again while the stream runs. The reducer collects as a watchdog when
// no major collection happened for 100 s, so in a worker started for this benchmark it tends to land
// in the first ramp step's steady window (~100 s after the worker started).
//
// Environment: DENSITY_MAX (most streams tried, default 8), DENSITY_SECONDS (clip length, default 36),
// DENSITY_SETTLE (seconds before the steady-state window, default 24),
// DENSITY_PROCESSORS (default passthrough,red-tint), DENSITY_PAIRED (0 to skip the paired bare steps),
// DENSITY_WARMUP (streams in the warm-up step, 0 to skip it), BENCH_MEDIA (encoder settings, both sides),
// DENSITY_NODE_FLAGS (options for the worker's Node, e.g. --no-memory-reducer, which V8 takes only at start).
import os from 'node:os';
import path from 'node:path';
import { setMaxListeners } from 'node:events';
import { execa } from 'execa';
import { encoderArgsTs } from '../../src/media/encoder-args.js';
import { resolveFfmpeg } from '../../src/media/ffmpeg.js';
import { TsPtsSniffer } from '../../src/media/ts/pts-sniffer.js';
import { waitForChannel } from '../../src/pipeline/wait-channel.js';
import { spawnRelayCli, type RelayChild } from '../helpers/relay.js';
import { makeClip, scratch } from '../process/media.js';
import { api, spawnServe, waitForHealth, type ServeChild } from '../worker/serve-child.js';
import { benchMedia, type BenchMedia } from './bench-media.js';
import { drainChannel } from './drain.js';
import { feed } from './live-feed.js';
import { cpuByRole, perFrame } from './proc-cpu.js';

const MAX = Number(process.env.DENSITY_MAX ?? 8);
const SECONDS = Number(process.env.DENSITY_SECONDS ?? 36);
const SETTLE_S = Number(process.env.DENSITY_SETTLE ?? 24);
const PROCESSORS = (process.env.DENSITY_PROCESSORS ?? 'passthrough,red-tint').split(',');
const PAIRED = process.env.DENSITY_PAIRED !== '0';
const WARMUP_STREAMS = Math.min(MAX, Number(process.env.DENSITY_WARMUP ?? 2));
const NODE_FLAGS = (process.env.DENSITY_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
const WARMUP_S = 2;
const KEEP = 0.99;
const P95_LIMIT_MS = 100;
const LATE_LIMIT_S = 1;
const FPS = 30;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : NaN;
}

interface StepResult {
  n: number;
  holds: boolean;
  keptMin: number;
  p95Max: number;
  /** CPU milliseconds per output frame, by role, and in all: in steady state (from SETTLE_S on). */
  msPerFrame: Record<string, number>;
  /** The same from WARMUP_S + 1 s on (a new stream's start-up included). */
  msPerFrameFromStart: Record<string, number>;
  audioReencoded: boolean;
  /** The worker's garbage collections in the steady window (its /metrics), by kind: repeated major ones, and any reducing one, cost CPU. */
  gcSteady?: GcCounts;
  /** A bare step of the same n right after this one: its CPU per frame in all, and this step's total against it (steady state, and from the start). */
  pairedBare?: number;
  vsPairedBare?: number;
  vsPairedBareFromStart?: number;
}

let stepCount = 0;

interface GcCounts {
  major: number;
  /** Major collections V8's memory reducer started: each throws optimized code away. */
  reducing: number;
  minor: number;
}

/** The worker's collections so far by kind, from its /metrics. */
async function gcCounts(serve: ServeChild): Promise<GcCounts> {
  const text = (await api(serve.url, '/metrics')).text;
  const read = (kind: string) => Number(new RegExp(`^trickle_process_gc_total\\{kind="${kind}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { major: read('major'), reducing: read('reducing'), minor: read('minor') };
}

/** n streams through `serve` at once, each fed `clip` in real time; what they kept and what it cost. */
async function step(serve: ServeChild, relay: RelayChild, clip: string, n: number, tag: string): Promise<StepResult> {
  const base = relay.url.replace(/\/?$/, '/');
  const ids = Array.from({ length: n }, (_, i) => `${tag}-${++stepCount}-${n}-${i}`);
  const abort = new AbortController();
  setMaxListeners(8 * n + 8, abort.signal);
  const sent = ids.map(() => new Map<number, number>());
  const got = ids.map(() => new Map<number, number>());
  const startedAt: number[] = ids.map(() => Infinity);
  const lastPts: number[] = ids.map(() => -1);
  const cpu = cpuByRole(serve.child.pid!);
  const steady = cpuByRole(serve.child.pid!);
  let roles = new Set<string>();
  const rolesTimer = setInterval(() => (roles = new Set([...roles, ...cpu.roles()])), 1000);
  const outputs = ids.map((id, i) => {
    const sniffer = new TsPtsSniffer();
    const onChunk = (c: Uint8Array) => {
      for (const pts of sniffer.push(c)) if (!got[i]!.has(pts)) got[i]!.set(pts, performance.now());
    };
    return drainChannel(`${base}${id}-out`, { signal: abort.signal, onChunk });
  });
  const feeds = ids.map(async (id, i) => {
    const url = `${base}${id}-in`;
    const fed = feed(url, clip, true, (pts, at) => sent[i]!.set(pts, at));
    // The stream starts once its input channel exists: it joins the segment being written, from its start.
    await waitForChannel(url, { signal: abort.signal });
    const r = await api(serve.url, '/stream/start', { headers: { 'x-stream-id': id }, body: { gateway_request_id: id, subscribe_url: url, publish_url: `${base}${id}-out` } });
    if (r.status !== 200) throw new Error(`start ${id}: ${r.status} ${r.text}`);
    startedAt[i] = performance.now();
    lastPts[i] = await fed;
  });
  // CPU is counted until the feeds end twice: from when every stream runs past its warm-up, and from SETTLE_S on.
  const t0 = performance.now();
  const warm = setTimeout(() => cpu.start(), 1000 * (WARMUP_S + 1));
  let gcAtSettle: Promise<GcCounts> | undefined;
  const settled = setTimeout(() => {
    steady.start();
    gcAtSettle = gcCounts(serve);
  }, 1000 * SETTLE_S);
  try {
    await Promise.all(feeds);
    const cpuS = cpu.stop();
    const steadyS = steady.stop();
    const gcEnd = await gcCounts(serve);
    const gcStart = await gcAtSettle;
    clearTimeout(warm);
    clearTimeout(settled);
    const windowEnd = performance.now();
    const windowStart = t0 + 1000 * (WARMUP_S + 1);
    const steadyStart = t0 + 1000 * SETTLE_S;
    // The last frames leave once the encoder has them: wait for each output to reach its input's last pts.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && ids.some((_, i) => !got[i]!.has(lastPts[i]!))) await new Promise((r) => setTimeout(r, 100));
    let keptMin = 1;
    let p95Max = 0;
    let framesInWindow = 0;
    let framesSteady = 0;
    for (let i = 0; i < n; i++) {
      const from = startedAt[i]! + 1000 * WARMUP_S;
      const judged = [...sent[i]!].filter(([, at]) => at >= from);
      const lat = judged.flatMap(([pts, at]) => (got[i]!.has(pts) ? [got[i]!.get(pts)! - at] : []));
      keptMin = Math.min(keptMin, judged.length ? lat.length / judged.length : 0);
      p95Max = Math.max(p95Max, pct(lat, 0.95));
      framesInWindow += [...got[i]!.values()].filter((at) => at >= windowStart && at <= windowEnd).length;
      framesSteady += [...got[i]!.values()].filter((at) => at >= steadyStart && at <= windowEnd).length;
    }
    const holds = keptMin >= KEEP && p95Max <= P95_LIMIT_MS;
    return {
      n,
      holds,
      keptMin,
      p95Max,
      msPerFrame: perFrame(steadyS, Math.max(1, framesSteady)),
      msPerFrameFromStart: perFrame(cpuS, Math.max(1, framesInWindow)),
      audioReencoded: [...roles].some((r) => r.startsWith('ffmpeg audio encoder')),
      gcSteady: gcStart && { major: gcEnd.major - gcStart.major, reducing: gcEnd.reducing - gcStart.reducing, minor: gcEnd.minor - gcStart.minor },
    };
  } finally {
    clearInterval(rolesTimer);
    await Promise.allSettled(ids.map((id) => api(serve.url, '/stream/stop', { method: 'POST', headers: { 'x-stream-id': id }, raw: '' })));
    await Promise.allSettled(ids.map((id) => fetch(`${base}${id}-in`, { method: 'DELETE' })));
    abort.abort();
    await Promise.allSettled(outputs);
    await Promise.allSettled(ids.flatMap((id) => [fetch(`${base}${id}-out`, { method: 'DELETE' })]));
    await new Promise((r) => setTimeout(r, 1000)); // children of stopped streams exit before the next step samples
  }
}

/** The bare baseline's ffmpeg arguments: the pipeline's own x264 (and audio) settings, straight from the file. */
function baselineArgs(clip: string, bench: BenchMedia, audioCopy: boolean): string[] {
  const ts = encoderArgsTs({ ...bench.media, audio: { sampleRate: 48000, channels: 2 } });
  const encoding = ts.slice(ts.indexOf('-copyts') + 1, ts.indexOf('-muxdelay'));
  const audioAt = encoding.indexOf('0:a:0') - 1;
  const video = encoding.slice(0, audioAt);
  const audio = audioCopy ? ['-map', '0:a:0', '-c:a', 'copy'] : encoding.slice(audioAt);
  return ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-i', clip, ...video, ...audio, '-f', 'mpegts', '-y', '/dev/null'];
}

/** n bare ffmpeg transcodes at once: did each keep real time, and the CPU per frame. */
async function baselineStep(clip: string, bench: BenchMedia, n: number, audioCopy: boolean): Promise<StepResult> {
  const bin = resolveFfmpeg().path;
  const t0 = performance.now();
  const procs = Array.from({ length: n }, () => execa(bin, baselineArgs(clip, bench, audioCopy), { reject: false }));
  const meters = procs.map((p) => cpuByRole(p.pid!, 'ffmpeg transcode'));
  const steadyMeters = procs.map((p) => cpuByRole(p.pid!, 'ffmpeg transcode'));
  const warm = setTimeout(() => meters.forEach((m) => m.start()), 1000 * (WARMUP_S + 1));
  const settled = setTimeout(() => steadyMeters.forEach((m) => m.start()), 1000 * SETTLE_S);
  // Sampled just before the clip ends (the processes' figures vanish with them).
  const sum = (ms: typeof meters) => {
    const all: Record<string, number> = {};
    for (const m of ms) for (const [r, s] of Object.entries(m.stop())) all[r] = (all[r] ?? 0) + s;
    return all;
  };
  const cpu = new Promise<[Record<string, number>, Record<string, number>]>((resolve) =>
    setTimeout(() => resolve([sum(steadyMeters), sum(meters)]), 1000 * (SECONDS - 0.5)),
  );
  const ends = await Promise.all(procs.map(async (p) => ((await p), performance.now())));
  clearTimeout(warm);
  clearTimeout(settled);
  const late = Math.max(...ends.map((e) => (e - t0) / 1000 - SECONDS));
  for (const p of procs) if ((await p).exitCode !== 0) throw new Error(`baseline ffmpeg failed: ${(await p).stderr}`);
  const [steadyS, fromStartS] = await cpu;
  return {
    n,
    holds: late <= LATE_LIMIT_S,
    keptMin: 1,
    p95Max: NaN,
    msPerFrame: perFrame(steadyS, n * FPS * (SECONDS - 0.5 - SETTLE_S)),
    msPerFrameFromStart: perFrame(fromStartS, n * FPS * (SECONDS - 0.5 - WARMUP_S - 1)),
    audioReencoded: !audioCopy,
    late,
  } as StepResult & { late: number };
}

async function ramp(label: string, run: (n: number) => Promise<StepResult>): Promise<{ held: number; steps: StepResult[] }> {
  const steps: StepResult[] = [];
  let held = 0;
  if (WARMUP_STREAMS > 0) {
    const w = await run(WARMUP_STREAMS);
    console.log(JSON.stringify({ side: label, warmup: true, ...w, keptMin: +w.keptMin.toFixed(4), p95Max: +w.p95Max.toFixed(1) }));
  }
  for (let n = 1; n <= MAX; n++) {
    const r = await run(n);
    steps.push(r);
    console.log(JSON.stringify({ side: label, ...r, keptMin: +r.keptMin.toFixed(4), p95Max: +r.p95Max.toFixed(1) }));
    if (!r.holds) break;
    held = n;
  }
  return { held, steps };
}

async function main(): Promise<void> {
  if (!(SETTLE_S >= WARMUP_S + 1 && SETTLE_S <= SECONDS - 4)) {
    throw new Error(`DENSITY_SETTLE (${SETTLE_S} s) must lie between ${WARMUP_S + 1} s and DENSITY_SECONDS − 4 (${SECONDS - 4} s): the steady window needs a few seconds of the clip`);
  }
  const { dir, cleanup } = await scratch();
  const relay = await spawnRelayCli();
  const bench = await benchMedia();
  const clip = path.join(dir, 'in.ts');
  await makeClip(clip, { width: 512, height: 512, rate: FPS, seconds: SECONDS, channels: 2, gop: 2 });
  console.log(`density: 512x512@${FPS} real-time streams, ${SECONDS} s each; encoder ${bench.label} (BENCH_MEDIA); ${os.cpus().length} cores${NODE_FLAGS.length ? `; worker's Node started with ${NODE_FLAGS.join(' ')}` : ''}`);
  console.log(`CPU per frame in steady state from ${SETTLE_S} s into each step (msPerFrame, vsPairedBare), and from ${WARMUP_S + 1} s with a new stream's start-up (msPerFrameFromStart, vsPairedBareFromStart)`);
  console.log(`a stream holds with ≥ ${KEEP * 100} % of its frames after ${WARMUP_S} s and p95 ≤ ${P95_LIMIT_MS} ms; a bare ffmpeg holds ending ≤ ${LATE_LIMIT_S} s late`);
  const summary: Record<string, unknown>[] = [];
  let audioCopy = false;
  try {
    const first: Record<string, StepResult> = {};
    const held: Record<string, { held: number; steps: StepResult[] }> = {};
    for (const processor of PROCESSORS) {
      const serve = await spawnServe(['--processor', processor, '--capacity', String(MAX), ...bench.flags], {}, NODE_FLAGS);
      try {
        await waitForHealth(serve.url, 'IDLE', 60_000);
        const r = await ramp(processor, async (n) => {
          const s = await step(serve, relay, clip, n, processor);
          if (!PAIRED) return s;
          const b = await baselineStep(clip, bench, n, !s.audioReencoded);
          const bare = b.msPerFrame.total!;
          return {
            ...s,
            pairedBare: bare,
            vsPairedBare: +(s.msPerFrame.total! / bare).toFixed(2),
            vsPairedBareFromStart: +(s.msPerFrameFromStart.total! / b.msPerFrameFromStart.total!).toFixed(2),
          };
        });
        first[processor] = r.steps[0]!;
        held[processor] = r;
        audioCopy = !r.steps[0]!.audioReencoded;
        summary.push({ side: processor, streams_held: r.held, one_stream_ms_per_frame: r.steps[0]!.msPerFrame });
      } finally {
        await serve.stop();
      }
    }
    const b = await ramp(`bare ffmpeg (audio ${audioCopy ? 'copy' : 're-encoded'})`, (n) => baselineStep(clip, bench, n, audioCopy));
    const baseTotal = b.steps[0]!.msPerFrame.total!;
    summary.push({ side: 'bare ffmpeg', streams_held: b.held, one_stream_ms_per_frame: b.steps[0]!.msPerFrame });
    for (const processor of PROCESSORS) {
      const ratio = first[processor]!.msPerFrame.total! / baseTotal;
      // Per-frame costs fall as a machine fills (Node wakes once for several frames): also compared
      // at the most streams both sides held.
      const n = Math.min(held[processor]!.held, b.held);
      const busy = n > 0 ? held[processor]!.steps[n - 1]!.msPerFrame.total! / b.steps[n - 1]!.msPerFrame.total! : NaN;
      summary.push({ side: processor, cpu_per_frame_vs_bare_ffmpeg: +ratio.toFixed(2), [`at_${n}_streams_each`]: +busy.toFixed(2) });
      if (PAIRED) {
        // The same ratios from the paired bare steps: at one stream, and at the most streams this side held.
        const steps = held[processor]!.steps;
        const most = Math.max(1, held[processor]!.held);
        summary.push({ side: processor, paired_vs_bare_one_stream: steps[0]!.vsPairedBare, [`paired_vs_bare_at_${most}_streams`]: steps[most - 1]!.vsPairedBare });
        summary.push({
          side: processor,
          from_start_paired_vs_bare_one_stream: steps[0]!.vsPairedBareFromStart,
          [`from_start_paired_vs_bare_at_${most}_streams`]: steps[most - 1]!.vsPairedBareFromStart,
        });
      }
    }
    console.log('\nsummary');
    for (const s of summary) console.log(JSON.stringify(s));
  } finally {
    await relay.stop();
    await cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
