// Relay fan-out throughput and publish→receive latency, against a bare node:http server streaming from memory.
// Modelled on go-livepeer's BenchmarkSegmentFanout. The server (relay or baseline) and the subscribers each
// run in their own worker thread; the publisher runs on the main thread.
// Env: RELAY_BENCH_ROUNDS (3), RELAY_BENCH_LATENCY_SUBS (40), RELAY_BENCH_LATENCY_CHUNKS (1000), RELAY_BENCH_SKIP_FANOUT.
import http from 'node:http';
import { once } from 'node:events';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

const SEGMENT_BYTES = 8 * 1024 * 1024;
const CHUNK_SIZES = [32 * 1024, 1300];
const SUBSCRIBERS = [1, 5, 40];
const ROUNDS = Number(process.env.RELAY_BENCH_ROUNDS ?? 3);
const TARGET_RATIO = 0.7;
const TARGET_P99_MS = 5;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1000 });

type ServerKind = 'relay' | 'baseline' | 'subscribers';
interface ServerMsg {
  url: string;
}

// ---------- worker side ----------

async function runServer(kind: ServerKind): Promise<void> {
  const port = parentPort!;
  if (kind === 'subscribers') return runSubscribers();
  if (kind === 'relay') {
    const { createRelay } = await import('../../src/relay/index.js');
    const relay = await createRelay({ port: 0 });
    port.postMessage({ url: relay.url } satisfies ServerMsg);
    port.on('message', (m: { cmd: string }) => {
      if (m.cmd === 'close') void relay.close().then(() => process.exit(0));
    });
    return;
  }
  // Baseline: every GET waits for 'go', then gets the same bytes in the same chunk sizes, with backpressure.
  const waiting: http.ServerResponse[] = [];
  let chunks: Buffer[] = [];
  const server = http.createServer({ noDelay: true, highWaterMark: 256 * 1024 } as object, (req, res) => {
    if (req.method === 'POST') return forward(req, res, waiting.splice(0));
    req.resume();
    waiting.push(res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as { port: number };
  port.postMessage({ url: `http://127.0.0.1:${address.port}/` } satisfies ServerMsg);
  port.on('message', (m: { cmd: string; chunkSize?: number }) => {
    if (m.cmd === 'prepare') {
      const data = payload();
      chunks = [];
      for (let off = 0; off < data.length; off += m.chunkSize!) chunks.push(data.subarray(off, off + m.chunkSize!));
      port.postMessage({ prepared: true });
    } else if (m.cmd === 'go') {
      for (const res of waiting.splice(0)) streamFromMemory(res, chunks);
    } else if (m.cmd === 'count') {
      port.postMessage({ count: waiting.length });
    } else if (m.cmd === 'close') {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    }
  });
}

/**
 * The subscribers' own thread: opens N GETs on request, reports when they are sent, then the
 * time the last one reached EOF, the byte counts and (optionally) per-chunk latency samples.
 */
function runSubscribers(): void {
  const port = parentPort!;
  port.postMessage({ url: '' } satisfies ServerMsg);
  port.on('message', (m: { cmd: string; url: string; n: number; stampSize?: number }) => {
    if (m.cmd === 'close') process.exit(0);
    const samples: number[] = [];
    const readers = Array.from({ length: m.n }, () => {
      if (!m.stampSize) return subscribe(m.url);
      const size = m.stampSize;
      let pending: Buffer = Buffer.alloc(0);
      return subscribe(m.url, (c) => {
        const now = process.hrtime.bigint();
        pending = pending.length ? Buffer.concat([pending, c]) : c;
        while (pending.length >= size) {
          samples.push(Number(now - pending.readBigUInt64LE(0)) / 1e6);
          pending = pending.subarray(size);
        }
      });
    });
    void Promise.all(readers.map((r) => r.sent)).then(() => port.postMessage({ opened: true }));
    void Promise.all(readers.map((r) => r.done)).then((counts) => {
      port.postMessage({ finished: { end: process.hrtime.bigint(), counts, samples } });
    });
  });
}

/** Latency baseline: the least a relay can do, writing each received chunk straight to every waiting GET. */
function forward(req: http.IncomingMessage, res: http.ServerResponse, targets: http.ServerResponse[]): void {
  for (const t of targets) t.writeHead(200, { 'Content-Type': 'application/octet-stream' });
  req.on('data', (c: Buffer) => {
    for (const t of targets) t.write(c);
  });
  req.on('end', () => {
    for (const t of targets) t.end();
    res.end();
  });
}

function streamFromMemory(res: http.ServerResponse, chunks: Buffer[]): void {
  let i = 0;
  res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
  const pump = () => {
    while (i < chunks.length) {
      if (!res.write(chunks[i++]!)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}

function payload(): Buffer {
  const b = Buffer.allocUnsafe(SEGMENT_BYTES);
  for (let i = 0; i < b.length; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

// ---------- main side ----------

interface ServerHandle {
  url: string;
  worker: Worker;
  ask(msg: object, key: string): Promise<unknown>;
  wait(key: string): Promise<unknown>;
  close(): Promise<void>;
}

async function startServer(kind: ServerKind): Promise<ServerHandle> {
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { kind } });
  worker.on('error', (err) => {
    console.error(`${kind} worker failed:`, err);
    process.exit(1);
  });
  const [msg] = (await once(worker, 'message')) as [ServerMsg];
  const wait = (key: string) =>
      new Promise<unknown>((resolve) => {
        const on = (r: Record<string, unknown>) => {
          if (key in r) {
            worker.off('message', on);
            resolve(r[key]);
          }
        };
        worker.on('message', on);
      });
  return {
    url: msg.url,
    worker,
    wait,
    async ask(m, key) {
      const reply = wait(key);
      worker.postMessage(m);
      return reply;
    },
    async close() {
      worker.postMessage({ cmd: 'close' });
      await once(worker, 'exit');
    },
  };
}

/** Opens a GET and resolves its byte count at EOF; `onData` sees every chunk. */
function subscribe(url: string, onData?: (c: Buffer) => void): { sent: Promise<void>; done: Promise<number> } {
  let sentResolve!: () => void;
  const sent = new Promise<void>((r) => (sentResolve = r));
  const done = new Promise<number>((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => {
        n += c.length;
        onData?.(c);
      });
      res.on('end', () => resolve(n));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('finish', sentResolve);
  });
  return { sent, done };
}

/** POSTs `chunks` as a streamed body, honouring backpressure; `beforeWrite` may stamp each chunk and pace. */
async function postChunks(url: string, chunks: Buffer[], beforeWrite?: (c: Buffer, i: number) => Promise<void> | void): Promise<void> {
  const req = http.request(url, { method: 'POST', agent, headers: { 'Transfer-Encoding': 'chunked' } });
  const reply = new Promise<void>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`POST ${res.statusCode}`))));
    });
    req.on('error', reject);
  });
  req.setNoDelay(true);
  for (let i = 0; i < chunks.length; i++) {
    if (beforeWrite) await beforeWrite(chunks[i]!, i);
    if (!req.write(chunks[i]!)) await once(req, 'drain');
  }
  req.end();
  await reply;
}

/** POST {channel}: GET never creates a channel, so subscribers need it to exist first. */
async function createChannel(url: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`create ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function split(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < data.length; off += size) out.push(data.subarray(off, off + size));
  return out;
}

interface Finished {
  end: bigint;
  counts: number[];
  samples: number[];
}

/** Opens `n` GETs on the subscriber thread; resolves once sent, with a promise of their completion. */
async function openSubscribers(clients: ServerHandle, url: string, n: number, stampSize?: number): Promise<{ finished: Promise<Finished> }> {
  const opened = clients.wait('opened');
  const finished = clients.ask({ cmd: 'open', url, n, stampSize }, 'finished') as Promise<Finished>;
  await opened;
  return { finished }; // wrapped: an async function would otherwise wait for it
}

async function relayRound(relay: ServerHandle, clients: ServerHandle, channel: string, subs: number, chunks: Buffer[]): Promise<number> {
  const url = relay.url + channel;
  await createChannel(url);
  const { finished } = await openSubscribers(clients, url + '/0', subs);
  await sleep(100); // let the relay register every preconnect before the first byte
  const start = process.hrtime.bigint();
  await postChunks(url + '/0', chunks);
  const { end, counts } = await finished;
  if (counts.some((c) => c !== SEGMENT_BYTES)) throw new Error(`short read: ${counts.join(',')}`);
  return (subs * SEGMENT_BYTES) / 1e6 / (Number(end - start) / 1e9);
}

async function baselineRound(base: ServerHandle, clients: ServerHandle, subs: number): Promise<number> {
  const { finished } = await openSubscribers(clients, base.url + 'x', subs);
  while ((await base.ask({ cmd: 'count' }, 'count')) !== subs) await sleep(10);
  const start = process.hrtime.bigint();
  base.worker.postMessage({ cmd: 'go' });
  const { end, counts } = await finished;
  if (counts.some((c) => c !== SEGMENT_BYTES)) throw new Error(`short read: ${counts.join(',')}`);
  return (subs * SEGMENT_BYTES) / 1e6 / (Number(end - start) / 1e9);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function throughput(): Promise<boolean> {
  const relay = await startServer('relay');
  const base = await startServer('baseline');
  const clients = await startServer('subscribers');
  const data = payload();
  let ok = true;
  let n = 0;
  console.log(`fan-out of one ${SEGMENT_BYTES / 1048576} MiB segment, median of ${ROUNDS} rounds (aggregate MB/s over all subscribers)`);
  console.log('relay = publisher POST → relay → subscribers, end to end; baseline = bare node:http streaming the bytes from memory');
  console.log('chunk    subs   relay MB/s   baseline MB/s   ratio   target');
  for (const chunkSize of CHUNK_SIZES) {
    const chunks = split(data, chunkSize);
    await base.ask({ cmd: 'prepare', chunkSize }, 'prepared');
    for (const subs of SUBSCRIBERS) {
      const r: number[] = [];
      const b: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        r.push(await relayRound(relay, clients, `fan${n++}`, subs, chunks));
        b.push(await baselineRound(base, clients, subs));
      }
      const rm = median(r);
      const bm = median(b);
      const ratio = rm / bm;
      const target = subs === 40 ? (ratio >= TARGET_RATIO ? `>= ${TARGET_RATIO} ok` : `>= ${TARGET_RATIO} MISSED`) : '';
      if (subs === 40 && ratio < TARGET_RATIO) ok = false;
      console.log(
        `${String(chunkSize).padEnd(8)} ${String(subs).padEnd(6)} ${rm.toFixed(0).padStart(10)}   ${bm.toFixed(0).padStart(13)}   ${ratio.toFixed(2).padStart(5)}   ${target}`,
      );
    }
  }
  await relay.close();
  await base.close();
  await clients.close();
  return ok;
}

interface LatencyResult {
  p50: number;
  p99: number;
  max: number;
  samples: number;
}

async function latencyRun(kind: 'relay' | 'baseline', subs: number, count: number, size: number): Promise<LatencyResult> {
  const server = await startServer(kind);
  const url = server.url + 'latency';
  if (kind === 'relay') await createChannel(url);
  const clients = await startServer('subscribers');
  const { finished } = await openSubscribers(clients, url + '/0', subs, size);
  if (kind === 'baseline') while ((await server.ask({ cmd: 'count' }, 'count')) !== subs) await sleep(10);
  await sleep(100);
  const chunks: Buffer[] = Array.from({ length: count }, () => Buffer.alloc(size, 0x47));
  let next = process.hrtime.bigint();
  await postChunks(url + '/0', chunks, async (chunk) => {
    next += 2_000_000n;
    const wait = Number(next - process.hrtime.bigint()) / 1e6;
    if (wait > 0) await sleep(wait);
    chunk.writeBigUInt64LE(process.hrtime.bigint(), 0);
  });
  const { samples, counts } = await finished;
  await server.close();
  await clients.close();
  if (counts.some((c) => c !== count * size)) throw new Error(`short read: ${counts.join(',')}`);
  return { p50: pct(samples, 50), p99: pct(samples, 99), max: Math.max(...samples), samples: samples.length };
}

async function latency(): Promise<boolean> {
  const subs = Number(process.env.RELAY_BENCH_LATENCY_SUBS ?? 40);
  const count = Number(process.env.RELAY_BENCH_LATENCY_CHUNKS ?? 1000);
  const size = 1300;
  const relay = await latencyRun('relay', subs, count, size);
  const base = await latencyRun('baseline', subs, count, size);
  console.log(`\npublish→receive latency, ${subs} subscribers, ${count} chunks of ${size} B every ~2 ms (${relay.samples} samples)`);
  console.log('server     p50 ms    p99 ms    max ms');
  for (const [name, r] of [['relay', relay], ['baseline', base]] as const) {
    console.log(`${name.padEnd(9)} ${r.p50.toFixed(3).padStart(7)}   ${r.p99.toFixed(3).padStart(7)}   ${r.max.toFixed(3).padStart(7)}`);
  }
  const ok = relay.p99 < TARGET_P99_MS;
  console.log(`relay/baseline p99 ratio ${(relay.p99 / base.p99).toFixed(2)}; target relay p99 < ${TARGET_P99_MS} ms: ${ok ? 'ok' : 'MISSED'}`);
  console.log('(baseline = a bare node:http server writing each received chunk straight to every GET, no buffering or backpressure)');
  return ok;
}

if (!isMainThread) {
  await runServer((workerData as { kind: ServerKind }).kind);
} else {
  const a = process.env.RELAY_BENCH_SKIP_FANOUT ? true : await throughput();
  const b = await latency();
  agent.destroy();
  console.log(`\ntargets: ${a && b ? 'all met' : 'NOT all met'} (timings are informative; the bench does not fail on them)`);
}
