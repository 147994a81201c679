// CPU per frame of `trickle process` (Node itself) and of each of its ffmpeg children, from
// /proc/<pid>/stat (utime+stime) over a steady window of a real-time 512x512@30 live feed.
//
// The baseline, `floor`, is the least a Node worker can do with the same feed: a script that sends
// each segment's bytes through a `cat` child and back to the relay (floor-worker.ts), with the same
// two socket hops a frame as passthrough. A second baseline, `transcode-floor`, adds trickle's own
// parsing and the same transcoding ffmpeg as passthrough, with every stage a plain callback on the
// chunk in hand (transcode-floor-worker.ts). Each round prints Node's share against both: what the
// I/O costs, what the parsing adds, and what the rest of trickle's pipeline adds to them.
//
// Node's figure is split into its main thread and its other threads (V8's optimizing compiler and
// its garbage collector's helpers, libuv's pool). In a fresh process's first minute the other
// threads are mostly V8 still compiling the stream's code; NODE_CPU_WARM_S=70 measures past that.
//
// Linux only. Env: NODE_CPU_PROCESSORS (default
// floor,transcode-floor,passthrough,red-tint), NODE_CPU_WARM_S (10),
// NODE_CPU_WINDOW_S (20), NODE_CPU_ROUNDS (2; processors are taken in turn, every figure printed).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { spawnCli } from '../helpers/cli.js';
import { startRelay } from '../helpers/relay.js';
import { makeClip, scratch } from '../process/media.js';
import { drainChannel } from './drain.js';
import { feed } from './live-feed.js';
import { childRole, childrenOf, cpuOf } from './proc-cpu.js';

const PROCESSORS = (process.env.NODE_CPU_PROCESSORS ?? 'floor,transcode-floor,passthrough,red-tint').split(',');
/** The baseline workers, by name. */
const WORKERS: Record<string, { script: string; role: string }> = {
  floor: { script: fileURLToPath(new URL('./floor-worker.js', import.meta.url)), role: 'floor worker' },
  'transcode-floor': { script: fileURLToPath(new URL('./transcode-floor-worker.js', import.meta.url)), role: 'transcode floor worker' },
};
const WARM_S = Number(process.env.NODE_CPU_WARM_S ?? 10);
const WINDOW_S = Number(process.env.NODE_CPU_WINDOW_S ?? 20);
const ROUNDS = Number(process.env.NODE_CPU_ROUNDS ?? 2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Node's CPU per frame (ms), or undefined when the worker was gone before the window ended. */
async function measure(relayUrl: string, clip: string, processor: string, n: number): Promise<number | undefined> {
  const url = (c: string) => `${relayUrl}cpu${n}-${c}`;
  const timeout = (WARM_S + WINDOW_S + 60) * 1000;
  const worker = WORKERS[processor];
  const child = worker
    ? execa(process.execPath, [worker.script, url('in'), url('out')], { reject: false, timeout, forceKillAfterDelay: 5000, cleanup: true })
    : spawnCli(['process', '--in', url('in'), '--out', url('out'), '--processor', processor, '--wait', '-q'], { timeout });
  const pid = child.pid!;
  const drainer = drainChannel(url('out'));
  let frames = 0;
  await sleep(1500);
  const fed = feed(url('in'), clip, true, () => frames++).catch(() => undefined);
  await sleep(WARM_S * 1000);
  const kids = childrenOf(pid);
  // Each process's CPU, then the worker's main thread's alone (entry MAIN).
  const read = () => [...[pid, ...kids].map((p) => cpuOf(p)), cpuOf(pid, pid)];
  const MAIN = kids.length + 1;
  const before = read();
  const f0 = frames;
  await sleep(WINDOW_S * 1000);
  const after = read();
  const count = frames - f0;
  /** Entry i's CPU per frame over the window (ms), or undefined when it was gone. */
  const perFrame = (i: number) => {
    const a = after[i], b = before[i];
    return a && b ? { all: (a.user + a.sys - b.user - b.sys) / count, user: (a.user - b.user) / count, sys: (a.sys - b.sys) / count } : undefined;
  };
  const per = (i: number) => {
    const c = perFrame(i);
    return c ? `${c.all.toFixed(2)} ms (user ${c.user.toFixed(2)}, sys ${c.sys.toFixed(2)})` : 'gone';
  };
  console.log(`${processor}: ${count} frames in ${WINDOW_S} s after ${WARM_S} s; load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
  console.log(`  ${`Node (${worker?.role ?? 'trickle process'})`.padEnd(34)} ${per(0)}`);
  const node = perFrame(0);
  const main = perFrame(MAIN);
  // The rest is V8's helper threads (optimizing compiler, concurrent marking, sweeping) and libuv's.
  if (node && main) console.log(`    ${'of which its main thread'.padEnd(32)} ${main.all.toFixed(2)} ms, its other threads ${(node.all - main.all).toFixed(2)} ms`);
  kids.forEach((k, i) => console.log(`  ${childRole(k).padEnd(34)} ${per(i + 1)}`));
  child.kill('SIGINT');
  await child;
  await Promise.all([fed, drainer]);
  return perFrame(0)?.all;
}

if (!existsSync('/proc/self/stat')) {
  console.log('node-cpu: needs /proc (Linux); skipped');
} else {
  const { dir, cleanup } = await scratch();
  const relay = await startRelay();
  try {
    const clip = path.join(dir, 'in.ts');
    await makeClip(clip, { width: 512, height: 512, rate: 30, seconds: WARM_S + WINDOW_S + 8, channels: 2, gop: 2 });
    let n = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const node: Record<string, number | undefined> = {};
      for (const p of PROCESSORS) node[p] = await measure(relay.url, clip, p, n++);
      // Each baseline against what the run takes after it (the floor first: the transcode floor too).
      PROCESSORS.forEach((name, i) => {
        const base = node[name];
        const role = WORKERS[name]?.role;
        if (!role || !base) return;
        const vs = PROCESSORS.slice(i + 1).flatMap((p) => (node[p] ? [`${p} ${(node[p]! / base).toFixed(2)}×`] : []));
        if (vs.length) console.log(`round ${r + 1}: Node's share against the ${role}'s (${base.toFixed(2)} ms a frame): ${vs.join(', ')}`);
      });
    }
  } finally {
    await relay.close();
    await cleanup();
  }
}
