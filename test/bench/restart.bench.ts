// What an ffmpeg child's death costs a live `trickle process` stream: from SIGKILL to output flowing again, frames lost, and the CPU of the restart.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TsDemuxer } from '../../src/media/ts/demuxer.js';
import { waitForChannel } from '../../src/pipeline/wait-channel.js';
import { Subscriber } from '../../src/trickle/subscriber.js';
import { CHILD_KINDS, killChild, mediaChildren, type ChildKind } from '../helpers/children.js';
import { spawnCli } from '../helpers/cli.js';
import { startRelay } from '../helpers/relay.js';
import { makeClip, scratch, waitForSegments } from '../process/media.js';
import { feed } from './live-feed.js';

const SIZE = Number(process.env.RESTART_BENCH_SIZE ?? 512);
/** CPU is compared over this long before and after the kill. */
const WINDOW_MS = Number(process.env.RESTART_BENCH_WINDOW_MS ?? 3000);
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds used so far by `pid` and every child it has had (reaped ones included). */
async function cpuSeconds(pid: number): Promise<number> {
  const ticks = (p: number, fields: number[]) => {
    try {
      // Fields after the command name (which may hold spaces): state is field 3, utime 14.
      const rest = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ').pop()!.split(' ');
      return fields.reduce((n, f) => n + Number(rest[f - 3]), 0);
    } catch {
      return 0; // gone meanwhile: its time is in the parent's cutime once reaped
    }
  };
  const children = await mediaChildren(pid);
  return (ticks(pid, [14, 15, 16, 17]) + children.reduce((n, c) => n + ticks(c.pid, [14, 15]), 0)) / CLOCK_TICKS;
}

interface Arrival {
  at: number;
  pts: number;
}

/** Reads the output channel, noting when each video and audio PES arrives. */
function watchOutput(url: string, signal: AbortSignal): { video: Arrival[]; audio: Arrival[]; done: Promise<void> } {
  const video: Arrival[] = [];
  const audio: Arrival[] = [];
  const done = (async () => {
    await waitForChannel(url, { signal });
    const sub = new Subscriber({ url, start: 0, signal });
    const demuxer = new TsDemuxer();
    try {
      for (;;) {
        const seg = await sub.next();
        if (!seg) break;
        for await (const chunk of seg.body as AsyncIterable<Uint8Array>) {
          const at = performance.now();
          for (const e of demuxer.push(chunk)) {
            if (e.type !== 'pes' || e.pes.pts === undefined) continue;
            (e.pes.stream.kind === 'video' ? video : audio).push({ at, pts: e.pes.pts });
          }
        }
      }
    } catch {
      /* the channel went away at the end, or we stopped reading */
    } finally {
      await sub.close();
    }
  })();
  return { video, audio, done };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
}

/** Output frames (of one kind) in their arrival order, with the 90 kHz step to the previous one. */
function gapsIn(arrivals: Arrival[], frameTicks: number, from: number, to: number): number {
  let lost = 0;
  for (let i = 1; i < arrivals.length; i++) {
    if (arrivals[i].at < from || arrivals[i].at > to) continue;
    lost += Math.max(0, Math.round((arrivals[i].pts - arrivals[i - 1].pts) / frameTicks) - 1);
  }
  return lost;
}

async function measure(relayUrl: string, clip: string, kind: ChildKind): Promise<Record<string, unknown>> {
  const name = `rb-${kind.replace(' ', '-')}-${Date.now()}`;
  const [inUrl, outUrl] = [`${relayUrl}${name}-in`, `${relayUrl}${name}-out`];
  // The video decoder and encoder run for a processor that reads frames (grayscale); passthrough's video
  // goes through a transcoder; audio children run only where audio is re-encoded.
  const processor = kind === 'video decoder' || kind === 'video encoder' ? 'grayscale' : 'passthrough';
  const audio = kind.startsWith('audio') ? ['--audio', 'encode'] : [];
  const child = spawnCli(['process', '--in', inUrl, '--out', outUrl, '--processor', processor, '--wait', ...audio], { timeout: 300_000 });
  const stop = new AbortController();
  const out = watchOutput(outUrl, stop.signal);
  const sent: Arrival[] = [];
  const feeding = feed(inUrl, clip, true, (pts, at) => sent.push({ pts, at }));
  try {
    await waitForSegments(outUrl, 3, 120_000); // a steady stream
    const cpu0 = await cpuSeconds(child.pid!);
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const cpu1 = await cpuSeconds(child.pid!);
    await killChild(child.pid!, kind);
    const killedAt = performance.now(); // killChild returns right after the signal (finding the child took a ps)
    // The input's newest frame when the child died: the first output frame past it is new work.
    const ptsAtKill = sent.filter((x) => x.at <= killedAt).pop()!.pts;
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const cpu2 = await cpuSeconds(child.pid!);
    const video = kind.startsWith('video');
    const arrivals = video ? out.video : out.audio;
    const next = arrivals.find((a) => a.at > killedAt && a.pts > ptsAtKill);
    // Per-frame latency (video sent → video out) before the kill, and its peak after it.
    const sentAt = new Map(sent.map((x) => [x.pts, x.at]));
    const latency = (from: number, to: number) => out.video.filter((a) => a.at >= from && a.at < to && sentAt.has(a.pts)).map((a) => a.at - sentAt.get(a.pts)!);
    const before = median(latency(killedAt - WINDOW_MS, killedAt));
    const peak = Math.max(...latency(killedAt, killedAt + WINDOW_MS));
    return {
      child: kind,
      next_frame_ms: next ? Math.round(next.at - killedAt) : null,
      latency_before_ms: Math.round(before),
      latency_peak_after_ms: Math.round(peak),
      frames_lost: gapsIn(arrivals, video ? 3000 : 1920, killedAt, killedAt + WINDOW_MS),
      restart_cpu_s: +(cpu2 - cpu1 - (cpu1 - cpu0)).toFixed(3),
      stream_cpu_s_per_window: +(cpu1 - cpu0).toFixed(3),
    };
  } finally {
    await feeding.catch(() => undefined);
    await fetch(inUrl, { method: 'DELETE' }).catch(() => undefined);
    await child;
    stop.abort();
    await out.done;
  }
}

async function main(): Promise<void> {
  const { dir, cleanup } = await scratch();
  const relay = await startRelay();
  try {
    const clip = path.join(dir, 'live.ts');
    // Long enough for a steady stretch, the CPU windows and the stream's end.
    await makeClip(clip, { width: SIZE, height: SIZE, rate: 30, seconds: 6 + (3 * WINDOW_MS) / 1000, channels: 2, gop: 2 });
    console.log(`one ${SIZE}x${SIZE}@30 stream (input GOP 2 s) per child, SIGKILLed once the output is steady; restart CPU: trickle process and its ffmpeg children, ${WINDOW_MS} ms after the kill minus the ${WINDOW_MS} ms before`);
    const rows = [];
    for (const kind of [...CHILD_KINDS, 'video transcoder'] as const) {
      const row = await measure(relay.url, clip, kind);
      console.log(JSON.stringify(row));
      rows.push(row);
    }
    console.log(
      rows
        .map(
          (r) =>
            `${String(r.child).padEnd(16)} next ${String(r.child).startsWith('video') ? 'video' : 'audio'} frame ${r.next_frame_ms} ms after the kill · ${r.frames_lost} frames lost · ` +
            `video latency ${r.latency_before_ms} ms before, peak ${r.latency_peak_after_ms} ms after · restart CPU ${r.restart_cpu_s} s (the stream uses ${r.stream_cpu_s_per_window} s per ${WINDOW_MS / 1000} s)`,
        )
        .join('\n'),
    );
    console.log("(next frame: the first output frame of input sent after the kill; a video decoder or transcoder waits for the input's next keyframe, up to a GOP of 2 s)");
  } finally {
    await relay.close();
    await cleanup();
  }
}

await main();
