// What operators' numbers cost: CPU per frame of `trickle process` with /metrics scraped every second against the
// same run without a metrics server, and the per-frame bookkeeping (arrival sniffing, stage clock, health, fps,
// histograms) timed alone against that CPU per frame. The budget is 2 %.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { TsPtsSniffer } from '../../src/media/ts/pts-sniffer.js';
import { createMetrics, stageSeconds } from '../../src/metrics/registry.js';
import { FpsMeter, InputFpsMeter } from '../../src/pipeline/fps-meter.js';
import { HealthTracker } from '../../src/pipeline/health.js';
import { StageClock } from '../../src/pipeline/stages.js';
import type { PipelineStats } from '../../src/pipeline/types.js';
import { spawnCli } from '../helpers/cli.js';
import { spawnRelayCli, type RelayChild } from '../helpers/relay.js';
import { makeClip, scratch } from '../process/media.js';
import { feed } from './live-feed.js';
import { drainChannel } from './drain.js';
import { procSampler } from './proc-sampler.js';

const SIZE = (process.env.OPERATOR_BENCH_SIZE ?? '1280x720').split('x').map(Number) as [number, number];
const SECONDS = Number(process.env.OPERATOR_BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.OPERATOR_BENCH_ROUNDS ?? 3);
const TICK_MS = 1000 / 100; // USER_HZ on Linux

/** utime + stime of `pid` in ms, sampled until stop() (the last sample before it exits counts). */
function cpuSampler(pid: number): { stop(): number } {
  return procSampler(pid, 'stat', (text) => {
    const fields = text.replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  }, 50);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** One real-time run of `process --processor passthrough`; the Node process's CPU ms per video frame. */
async function run(relay: RelayChild, name: string, clip: string, withMetrics: boolean): Promise<{ cpuPerFrame: number; frames: number; scrapes: number }> {
  const inUrl = `${relay.url}${name}-in`;
  const outUrl = `${relay.url}${name}-out`;
  const port = withMetrics ? await freePort() : 0;
  const flags = withMetrics ? ['--metrics-port', String(port)] : [];
  const child = spawnCli(['process', '--in', inUrl, '--out', outUrl, '--processor', 'passthrough', '--wait', '--stats-interval', '1', ...flags], { timeout: 300_000 });
  const cpu = cpuSampler(child.pid!);
  let scrapes = 0;
  const scraper = withMetrics
    ? setInterval(() => {
        fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()).then(() => scrapes++, () => undefined);
      }, 1000)
    : undefined;
  const out = drainChannel(outUrl);
  await feed(inUrl, clip, true);
  await fetch(inUrl, { method: 'DELETE' }).catch(() => undefined);
  const r = await child;
  clearInterval(scraper);
  const ms = cpu.stop();
  await out;
  const last = String(r.stderr).split('\n').filter((l) => l.startsWith('{"type":"stats"')).map((l) => JSON.parse(l) as PipelineStats).at(-1);
  const frames = last?.framesIn ?? 0;
  return { cpuPerFrame: frames ? ms / frames : NaN, frames, scrapes };
}

/** The per-frame bookkeeping alone (what a frame costs the pipeline for health, stages and metrics), in µs. */
function bookkeepingMicros(clip: Buffer, frames: number): number {
  const clock = new StageClock();
  // Arrivals as health reads them (with each frame's pts), then decoded and processed frames.
  const arrivals = new InputFpsMeter();
  const fps = [new FpsMeter(), new FpsMeter()];
  const health = new HealthTracker();
  const metrics = createMetrics({ streams: () => [] });
  const sniffer = new TsPtsSniffer();
  const n = 20_000;
  const chunk = 188 * 7;
  const chunksPerFrame = Math.max(1, Math.round(clip.length / frames / chunk));
  const t0 = performance.now();
  let off = 0;
  for (let i = 0; i < n; i++) {
    // The input bytes of one frame go through the arrival sniffer (clip bytes / frames, in 1316-byte chunks).
    for (let c = 0; c < chunksPerFrame; c++, off += chunk) {
      if (off + chunk > clip.length) off = 0;
      sniffer.push(clip.subarray(off, off + chunk));
    }
    const pts = i * 3000;
    const now = Date.now();
    arrivals.tick(pts);
    clock.mark(pts, 'demuxed');
    clock.mark(pts, 'decoded');
    fps[0]!.tick();
    clock.mark(pts, 'processing');
    clock.mark(pts, 'processed');
    fps[1]!.tick();
    clock.mark(pts, 'encoded');
    const ms = clock.published(pts);
    if (ms) metrics.observeStages('bench', stageSeconds(ms));
    // Four health updates a second at 30 fps: one frame in eight.
    if (i % 8 === 0) health.update({ now, startedAt: 0, stopped: false, loading: false, lastInputAt: now, inputFps: arrivals.fps(), lastOutputAt: now, outputFps: fps[1]!.fps() });
    // A stats() (percentiles) every 15 frames (the process status line's 500 ms).
    if (i % 15 === 0) clock.percentiles();
  }
  return ((performance.now() - t0) * 1000) / n;
}

async function main(): Promise<void> {
  const s = await scratch();
  const relay = await spawnRelayCli();
  try {
    const clip = path.join(s.dir, 'clip.ts');
    await makeClip(clip, { width: SIZE[0], height: SIZE[1], rate: 30, seconds: SECONDS, gop: 1 });
    console.log(`trickle process --processor passthrough, ${SIZE.join('x')} 30 fps, ${SECONDS} s real time, ${ROUNDS} rounds (each: without metrics, then with /metrics scraped every second)`);
    const base: number[] = [];
    const withM: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const a = await run(relay, `base${round}`, clip, false);
      const b = await run(relay, `metrics${round}`, clip, true);
      base.push(a.cpuPerFrame);
      withM.push(b.cpuPerFrame);
      console.log(`  round ${round + 1}: without ${a.cpuPerFrame.toFixed(3)} ms/frame (${a.frames} frames) · with /metrics ${b.cpuPerFrame.toFixed(3)} ms/frame (${b.frames} frames, ${b.scrapes} scrapes) · ratio ${(b.cpuPerFrame / a.cpuPerFrame).toFixed(3)}`);
    }
    const median = (v: number[]) => [...v].sort((x, y) => x - y)[v.length >> 1]!;
    const mb = median(base);
    const mm = median(withM);
    console.log(`  median: without ${mb.toFixed(3)} ms/frame · with /metrics scraped ${mm.toFixed(3)} ms/frame · ratio ${(mm / mb).toFixed(3)} (${(((mm - mb) / mb) * 100).toFixed(1)} %; CPU ticks are 10 ms, so this end-to-end figure carries the machine's noise)`);
    const bytes = readFileSync(clip);
    const micros = bookkeepingMicros(bytes, SECONDS * 30);
    const share = micros / 1000 / mb;
    console.log(`  per-frame bookkeeping alone (arrival sniffing, stage clock, health, fps, histograms): ${micros.toFixed(2)} µs/frame = ${(share * 100).toFixed(2)} % of ${mb.toFixed(3)} ms/frame`);
    console.log(`  budget 2 %: ${share < 0.02 ? 'within' : 'OVER'}`);
    if (share >= 0.02) process.exitCode = 1;
  } finally {
    await relay.stop();
    await s.cleanup();
  }
}

await main();
