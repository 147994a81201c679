// `npm run bench -- churn`: what streams starting and stopping cost the other streams of a worker.
//
// One `trickle serve --processor passthrough` carries two real-time 512x512@30 streams at a time,
// in two kinds of phase, alternated CHURN_ROUNDS times after an unmeasured warm-up:
//   quiet: the same two streams for the whole phase;
//   churn: one stream for the whole phase beside a second that is a new stream every CHURN_EVERY
//          seconds (each runs its clip to the end and is stopped; the next starts right after).
// A stream's start and stop run code paths that code optimized for the streams before them never
// saw, and V8 throws that code away in every stream the worker carries: the churn phase shows what
// that, and setting each new stream up, costs. Measured from CHURN_FROM seconds into a phase to its
// end (so the quiet phase's own start is left out): the worker's CPU (Node's, and its ffmpeg
// children's) per output frame, frames counted as they reach the relay. The baseline is the quiet
// phase of the same round; the summary gives churn/quiet per round.
//
// Environment: CHURN_ROUNDS (default 2), CHURN_PHASE (seconds, default 60), CHURN_EVERY (seconds a
// churned stream runs, default 12), CHURN_FROM (seconds into a phase the window starts, default 20),
// CHURN_NODE_FLAGS (options for the worker's Node), BENCH_MEDIA (encoder settings).
import os from 'node:os';
import path from 'node:path';
import { TsPtsSniffer } from '../../src/media/ts/pts-sniffer.js';
import { waitForChannel } from '../../src/pipeline/wait-channel.js';
import { spawnRelayCli, type RelayChild } from '../helpers/relay.js';
import { makeClip, scratch } from '../process/media.js';
import { api, spawnServe, waitForHealth, type ServeChild } from '../worker/serve-child.js';
import { benchMedia } from './bench-media.js';
import { drainChannel } from './drain.js';
import { feed } from './live-feed.js';
import { cpuByRole, perFrame } from './proc-cpu.js';

const ROUNDS = Number(process.env.CHURN_ROUNDS ?? 2);
const PHASE_S = Number(process.env.CHURN_PHASE ?? 60);
const EVERY_S = Number(process.env.CHURN_EVERY ?? 12);
const FROM_S = Number(process.env.CHURN_FROM ?? 20);
const NODE_FLAGS = (process.env.CHURN_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
const FPS = 30;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Streams through one worker; every output frame's arrival time (performance.now()) is kept. */
class Streams {
  private count = 0;
  private readonly abort = new AbortController();
  private readonly drains: Promise<void>[] = [];
  readonly arrivals: number[] = [];
  readonly ids: string[] = [];

  constructor(
    private readonly serve: ServeChild,
    private readonly relay: RelayChild,
    private readonly tag: string,
  ) {}

  private get base(): string {
    return this.relay.url.replace(/\/?$/, '/');
  }

  /** One stream fed `clip` in real time from its start; resolves when the clip has been sent, after stopping the stream. */
  async run(clip: string): Promise<void> {
    const id = `${this.tag}-${++this.count}`;
    this.ids.push(id);
    const url = `${this.base}${id}-in`;
    const sniffer = new TsPtsSniffer();
    const seen = new Set<number>();
    this.drains.push(
      drainChannel(`${this.base}${id}-out`, {
        signal: this.abort.signal,
        onChunk: (c) => {
          for (const pts of sniffer.push(c)) {
            if (seen.has(pts)) continue;
            seen.add(pts);
            this.arrivals.push(performance.now());
          }
        },
      }),
    );
    const fed = feed(url, clip, true);
    await waitForChannel(url, { signal: this.abort.signal });
    const r = await api(this.serve.url, '/stream/start', { headers: { 'x-stream-id': id }, body: { gateway_request_id: id, subscribe_url: url, publish_url: `${this.base}${id}-out` } });
    if (r.status !== 200) throw new Error(`start ${id}: ${r.status} ${r.text}`);
    await fed;
    await sleep(300); // the last frames leave the encoder
    await this.stop(id);
  }

  private async stop(id: string): Promise<void> {
    await api(this.serve.url, '/stream/stop', { method: 'POST', headers: { 'x-stream-id': id }, raw: '' });
    await fetch(`${this.base}${id}-in`, { method: 'DELETE' }).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.drains);
    await Promise.allSettled(this.ids.map((id) => fetch(`${this.base}${id}-out`, { method: 'DELETE' })));
  }
}

interface PhaseResult {
  phase: 'quiet' | 'churn';
  /** Streams started in the phase (2 when quiet). */
  streams: number;
  frames: number;
  /** CPU ms per output frame in the window, by process, and in all. */
  msPerFrame: Record<string, number>;
}

async function phase(kind: 'quiet' | 'churn', serve: ServeChild, relay: RelayChild, clips: { long: string; short: string }, tag: string): Promise<PhaseResult> {
  const streams = new Streams(serve, relay, `${tag}-${kind}`);
  const cpu = cpuByRole(serve.child.pid!);
  const t0 = performance.now();
  let windowStart = Infinity;
  const opened = sleep(1000 * FROM_S).then(() => {
    windowStart = performance.now();
    cpu.start();
  });
  try {
    const long = streams.run(clips.long);
    const second =
      kind === 'quiet'
        ? streams.run(clips.long)
        : (async () => {
            // New streams one after another until the phase's end.
            while (performance.now() - t0 < 1000 * (PHASE_S - EVERY_S)) await streams.run(clips.short);
          })();
    await Promise.all([long, second, opened]);
    const windowEnd = performance.now();
    const seconds = cpu.stop();
    await sleep(1000);
    const frames = streams.arrivals.filter((at) => at >= windowStart && at <= windowEnd).length;
    // One figure for the children: the transcoders of streams that came and went.
    const byProcess: Record<string, number> = {};
    for (const [role, s] of Object.entries(seconds)) {
      const key = role.startsWith('ffmpeg') ? 'ffmpeg children' : role;
      byProcess[key] = (byProcess[key] ?? 0) + s;
    }
    const msPerFrame = perFrame(byProcess, Math.max(1, frames));
    return { phase: kind, streams: streams.ids.length, frames, msPerFrame };
  } finally {
    await streams.close();
    await sleep(1000); // children of stopped streams exit before the next phase samples
  }
}

async function main(): Promise<void> {
  if (!(FROM_S < PHASE_S - 4 && EVERY_S >= 4 && EVERY_S <= PHASE_S / 2)) {
    throw new Error(`CHURN_FROM (${FROM_S} s) must leave a few seconds of CHURN_PHASE (${PHASE_S} s), and CHURN_EVERY (${EVERY_S} s) lie between 4 s and half the phase`);
  }
  const { dir, cleanup } = await scratch();
  const relay = await spawnRelayCli();
  const bench = await benchMedia();
  const clips = { long: path.join(dir, 'long.ts'), short: path.join(dir, 'short.ts') };
  await makeClip(clips.long, { width: 512, height: 512, rate: FPS, seconds: PHASE_S, channels: 2, gop: 2 });
  await makeClip(clips.short, { width: 512, height: 512, rate: FPS, seconds: EVERY_S, channels: 2, gop: 2 });
  console.log(`churn: passthrough, two 512x512@${FPS} real-time streams at a time; ${PHASE_S} s phases, quiet then churn (a new second stream every ${EVERY_S} s), ${ROUNDS} rounds; CPU per output frame from ${FROM_S} s into each phase; encoder ${bench.label}; ${os.cpus().length} cores${NODE_FLAGS.length ? `; worker's Node started with ${NODE_FLAGS.join(' ')}` : ''}`);
  const serve = await spawnServe(['--processor', 'passthrough', '--capacity', '4', ...bench.flags], {}, NODE_FLAGS);
  const summary: Record<string, unknown>[] = [];
  try {
    await waitForHealth(serve.url, 'IDLE', 60_000);
    // Unmeasured: a worker runs for hours, and a fresh process spends its first seconds compiling.
    const warm = new Streams(serve, relay, 'warmup');
    await Promise.all([warm.run(clips.short), warm.run(clips.short)]);
    await warm.close();
    for (let round = 1; round <= ROUNDS; round++) {
      const quiet = await phase('quiet', serve, relay, clips, `r${round}`);
      console.log(JSON.stringify({ round, ...quiet }));
      const churn = await phase('churn', serve, relay, clips, `r${round}`);
      console.log(JSON.stringify({ round, ...churn }));
      summary.push({
        round,
        node_churn_vs_quiet: +(churn.msPerFrame.node! / quiet.msPerFrame.node!).toFixed(2),
        total_churn_vs_quiet: +(churn.msPerFrame.total! / quiet.msPerFrame.total!).toFixed(2),
      });
    }
  } finally {
    await serve.stop();
    await relay.stop();
    await cleanup();
  }
  for (const s of summary) console.log(JSON.stringify(s));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
