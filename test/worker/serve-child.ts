// Test helpers: `trickle serve` as a child process (alone, or with a relay and a live input), and JSON calls against it.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Relay } from '../../src/relay/index.js';
import { Subscriber } from '../../src/trickle/subscriber.js';
import { BIN, spawnCli } from '../helpers/cli.js';
import { makeTs, tempDir } from '../helpers/media-gen.js';
import { startRelay } from '../helpers/relay.js';
import { until } from '../helpers/until.js';

export interface ServeChild {
  url: string;
  child: ChildProcess;
  stderr(): string;
  /** SIGTERM (SIGKILL after 10 s); resolves with the exit code or signal name. Idempotent. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Starts `trickle serve --host 127.0.0.1 --port 0 ...args` (Node started with `nodeArgs`) and resolves once it printed its URL. */
export async function spawnServe(args: string[], env: NodeJS.ProcessEnv = {}, nodeArgs: readonly string[] = []): Promise<ServeChild> {
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig ?? -1)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`trickle serve did not start; stderr:\n${stderr}`));
    }, 30_000);
    child.stderr!.on('data', (t: string) => {
      stderr += t;
      const m = /listening on ([^\s"]+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`trickle serve exited (${code}) before listening; stderr:\n${stderr}`));
    });
  });
  let stopping: Promise<number | string> | undefined;
  return {
    url,
    child,
    stderr: () => stderr,
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
        const code = await exited;
        clearTimeout(force);
        return code;
      })();
      return stopping;
    },
  };
}

export interface ApiReply {
  status: number;
  headers: Headers;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** One request to the worker; `json` is the parsed body (undefined when not JSON). */
export async function api(
  base: string,
  path: string,
  init: { method?: string; body?: unknown; raw?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<ApiReply> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | Buffer | undefined = init.raw;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Polls /health until it reports `status` (or times out). */
export async function waitForHealth(base: string, status: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await api(base, '/health');
    if (r.json?.status === status) return;
    if (Date.now() > deadline) throw new Error(`health never became ${status} (last ${r.text})`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

export interface ServedInput {
  relay: Relay;
  serve: ServeChild;
  /** A channel URL on the relay. */
  ch(name: string): string;
  /** Stops serve, the publisher and the relay; removes the clip. */
  close(): Promise<void>;
}

/**
 * What most stream tests start from: a relay, a lavfi clip published into its channel `in` in
 * real time and looped, and `trickle serve ...args` (IDLE) beside them.
 */
export async function serveWithInput(args: string[], opts: { env?: NodeJS.ProcessEnv; size?: string } = {}): Promise<ServedInput> {
  const relay = await startRelay();
  const tmp = await tempDir('trickle-served-');
  const ch = (name: string) => relay.channelUrl(name);
  await makeTs(tmp.file('in.ts'), { size: opts.size ?? '160x120', rate: 30, seconds: 4, extra: ['-g', '30'] });
  const publisher = spawnCli(['publish', ch('in'), '-i', tmp.file('in.ts'), '--re', '--loop']);
  await until('input channel', async () => ((await fetch(`${ch('in')}/next`)).status === 200 ? true : undefined), 30_000);
  const serve = await spawnServe(args, opts.env);
  await waitForHealth(serve.url, 'IDLE');
  return {
    relay,
    serve,
    ch,
    async close() {
      await serve.stop();
      publisher.kill('SIGTERM');
      await publisher.catch(() => undefined);
      await relay.close();
      await tmp.cleanup();
    },
  };
}

/** Reads the next complete segment of `url` (start -1: one that begins after this call; 0: the channel's first). */
export async function nextSegment(url: string, start = -1): Promise<Buffer> {
  const sub = new Subscriber({ url, start, waitForChannel: true });
  try {
    const seg = await sub.next();
    if (!seg) throw new Error(`${url} ended`);
    const chunks: Buffer[] = [];
    for await (const c of seg.body) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  } finally {
    await sub.close();
  }
}
