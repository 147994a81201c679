// Soak: 20 start/stop cycles then 2 concurrent streams for SOAK_SECONDS (default 120) against one `trickle serve`;
// reports the child's RSS growth, leaked ffmpeg children and leaked sockets against figures taken in the same run.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { ResultPromise } from 'execa';
import { spawnCli } from '../helpers/cli.js';
import { startRelay } from '../helpers/relay.js';
import { makeTs, tempDir } from '../helpers/media-gen.js';
import { api, spawnServe, waitForHealth } from '../worker/serve-child.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 120);
const CYCLES = Number(process.env.SOAK_CYCLES ?? 20);
const PROCESSOR = process.env.SOAK_PROCESSOR ?? 'red-tint';

const rssKb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

/** Direct and indirect children of `pid` whose command name is `name`. */
function descendants(pid: number, name?: string): number[] {
  const parent = new Map<number, number>();
  const comm = new Map<number, string>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      comm.set(Number(d), stat.slice(stat.indexOf('(') + 1, close));
      parent.set(Number(d), Number(stat.slice(close + 2).split(' ')[1]));
    } catch {
      /* exited meanwhile */
    }
  }
  const out: number[] = [];
  for (const [p] of parent) {
    let q = parent.get(p);
    while (q !== undefined && q !== pid && q > 1) q = parent.get(q);
    if (q === pid && (!name || comm.get(p) === name)) out.push(p);
  }
  return out;
}

const sockets = (pid: number): number =>
  readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
    } catch {
      return false;
    }
  }).length;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const relay = await startRelay();
  const ch = (name: string) => new URL(name, relay.url).href;
  const tmp = await tempDir('trickle-soak-');
  const publishers: ResultPromise[] = [];
  await makeTs(tmp.file('in.ts'), { size: '320x240', rate: 25, seconds: 4, extra: ['-g', '25'] });
  for (const name of ['soak-1', 'soak-2']) publishers.push(spawnCli(['publish', ch(name), '-i', tmp.file('in.ts'), '--re', '--loop']));
  const serve = await spawnServe(['--processor', PROCESSOR, '--capacity', '2', '--quiet']);
  const pid = serve.child.pid!;
  let failures = 0;
  try {
    await waitForHealth(serve.url, 'IDLE');
    for (const name of ['soak-1', 'soak-2']) {
      while ((await fetch(ch(`${name}/next`))).status !== 200) await sleep(200);
    }
    await sleep(1000);
    const idle = { rss: rssKb(pid), sockets: sockets(pid), ffmpeg: descendants(pid, 'ffmpeg').length };
    const start = (id: string, input: string) =>
      api(serve.url, '/stream/start', { headers: { 'x-stream-id': id }, body: { gateway_request_id: id, subscribe_url: ch(input), publish_url: ch(`${id}-out`), events_url: ch(`${id}-ev`) } });
    const stop = (id: string) => api(serve.url, '/stream/stop', { method: 'POST', headers: { 'x-stream-id': id }, raw: '' });

    const t0 = Date.now();
    for (let i = 0; i < CYCLES; i++) {
      const s = await start(`cycle-${i}`, 'soak-1');
      await sleep(1500);
      const e = await stop(`cycle-${i}`);
      if (s.status !== 200 || e.status !== 200) {
        failures++;
        console.log(`cycle ${i}: start ${s.status} stop ${e.status} ${s.text} ${e.text}`);
      }
    }
    const cyclesMs = Date.now() - t0;
    await sleep(2000);
    const afterCycles = { rss: rssKb(pid), sockets: sockets(pid), ffmpeg: descendants(pid, 'ffmpeg').length };

    for (const [id, input] of [['long-1', 'soak-1'], ['long-2', 'soak-2']] as const) {
      const s = await start(id, input);
      if (s.status !== 200) failures++;
    }
    const samples: number[] = [];
    const tEnd = Date.now() + SECONDS * 1000;
    let framesOut = 0;
    while (Date.now() < tEnd) {
      await sleep(Math.min(5000, Math.max(0, tEnd - Date.now())));
      samples.push(rssKb(pid));
    }
    for (const id of ['long-1', 'long-2']) {
      const st = await api(serve.url, '/stream/status', { headers: { 'x-stream-id': id } });
      framesOut += Number(st.json?.stats?.frames_out ?? 0);
      const e = await stop(id);
      if (e.status !== 200) failures++;
    }
    await sleep(3000);
    const end = { rss: rssKb(pid), sockets: sockets(pid), ffmpeg: descendants(pid, 'ffmpeg').length };
    const health = (await api(serve.url, '/health')).json?.status;

    const mb = (kb: number) => (kb / 1024).toFixed(1);
    console.log(`processor ${PROCESSOR}, ${CYCLES} start/stop cycles in ${(cyclesMs / 1000).toFixed(1)} s, then 2 streams for ${SECONDS} s (${framesOut} frames out)`);
    console.log(`RSS idle ${mb(idle.rss)} MiB, after cycles ${mb(afterCycles.rss)} MiB, during streams min ${mb(Math.min(...samples))} / max ${mb(Math.max(...samples))} MiB, end ${mb(end.rss)} MiB`);
    const growth = end.rss / afterCycles.rss;
    console.log(`RSS end/after-cycles ratio ${growth.toFixed(3)} (target ≤ 1.10: ${growth <= 1.1 ? 'met' : 'MISSED'}); end/idle ${(end.rss / idle.rss).toFixed(3)}`);
    console.log(`ffmpeg children: idle ${idle.ffmpeg}, after cycles ${afterCycles.ffmpeg}, end ${end.ffmpeg} (leaked: ${end.ffmpeg - idle.ffmpeg})`);
    console.log(`sockets: idle ${idle.sockets}, after cycles ${afterCycles.sockets}, end ${end.sockets} (ratio end/idle ${(end.sockets / Math.max(1, idle.sockets)).toFixed(2)})`);
    console.log(`health after stop: ${health}; HTTP failures: ${failures}`);
    if (failures > 0 || end.ffmpeg > idle.ffmpeg) process.exitCode = 1;
  } finally {
    await serve.stop();
    for (const p of publishers) p.kill('SIGTERM');
    await Promise.allSettled(publishers);
    await relay.close();
    await tmp.cleanup();
  }
}

await main();
