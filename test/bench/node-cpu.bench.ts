// CPU per frame of `trickle process` (Node itself) and of each of its ffmpeg children, from
// /proc/<pid>/stat (utime+stime) over a steady window of a real-time 512x512@30 live feed.
// Linux only. Env: NODE_CPU_PROCESSORS (default passthrough,red-tint), NODE_CPU_WARM_S (10),
// NODE_CPU_WINDOW_S (20), NODE_CPU_ROUNDS (2; processors are taken in turn, every figure printed).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { spawnCli } from '../helpers/cli.js';
import { startRelay } from '../helpers/relay.js';
import { makeClip, scratch } from '../process/media.js';
import { drainChannel } from './drain.js';
import { feed } from './live-feed.js';
import { childRole, childrenOf, cpuOf } from './proc-cpu.js';

const PROCESSORS = (process.env.NODE_CPU_PROCESSORS ?? 'passthrough,red-tint').split(',');
const WARM_S = Number(process.env.NODE_CPU_WARM_S ?? 10);
const WINDOW_S = Number(process.env.NODE_CPU_WINDOW_S ?? 20);
const ROUNDS = Number(process.env.NODE_CPU_ROUNDS ?? 2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(relayUrl: string, clip: string, processor: string, n: number): Promise<void> {
  const url = (c: string) => `${relayUrl}cpu${n}-${c}`;
  const child = spawnCli(['process', '--in', url('in'), '--out', url('out'), '--processor', processor, '--wait', '-q'], { timeout: (WARM_S + WINDOW_S + 60) * 1000 });
  const pid = child.pid!;
  const drainer = drainChannel(url('out'));
  let frames = 0;
  await sleep(1500);
  const fed = feed(url('in'), clip, true, () => frames++).catch(() => undefined);
  await sleep(WARM_S * 1000);
  const kids = childrenOf(pid);
  const before = [pid, ...kids].map(cpuOf);
  const f0 = frames;
  await sleep(WINDOW_S * 1000);
  const after = [pid, ...kids].map(cpuOf);
  const count = frames - f0;
  const per = (i: number) => {
    const a = after[i], b = before[i];
    if (!a || !b) return 'gone';
    return `${((a.user + a.sys - b.user - b.sys) / count).toFixed(2)} ms (user ${((a.user - b.user) / count).toFixed(2)}, sys ${((a.sys - b.sys) / count).toFixed(2)})`;
  };
  console.log(`${processor}: ${count} frames in ${WINDOW_S} s after ${WARM_S} s; load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
  console.log(`  ${'Node (trickle process)'.padEnd(34)} ${per(0)}`);
  kids.forEach((k, i) => console.log(`  ${childRole(k).padEnd(34)} ${per(i + 1)}`));
  child.kill('SIGINT');
  await child;
  await Promise.all([fed, drainer]);
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
    for (let r = 0; r < ROUNDS; r++) for (const p of PROCESSORS) await measure(relay.url, clip, p, n++);
  } finally {
    await relay.close();
    await cleanup();
  }
}
