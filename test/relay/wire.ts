// Raw HTTP helpers for relay tests: plain node:http, so the relay is tested independently of our clients.
import http, { type IncomingHttpHeaders } from 'node:http';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

const agent = new http.Agent({ keepAlive: false });

/** Sends one request with an optional body and collects the whole reply. */
export function request(method: string, url: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: options.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString() });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface OpenGet {
  /** Resolves when the status line and headers arrive. */
  headers: Promise<{ status: number; headers: IncomingHttpHeaders }>;
  /** Resolves with the whole body at EOF. */
  done: Promise<Reply>;
  /** Bytes received so far. */
  received(): Buffer;
  /** Resolves once at least `n` body bytes have arrived. */
  waitFor(n: number): Promise<void>;
  headersArrived(): boolean;
  abort(): void;
}

/** Starts a GET and lets the test watch its headers and body as they arrive. */
export function openGet(url: string): OpenGet {
  const chunks: Buffer[] = [];
  let size = 0;
  let arrived = false;
  const waiters: { n: number; resolve: () => void }[] = [];
  let resolveHeaders!: (v: { status: number; headers: IncomingHttpHeaders }) => void;
  let rejectHeaders!: (e: unknown) => void;
  const headers = new Promise<{ status: number; headers: IncomingHttpHeaders }>((res, rej) => {
    resolveHeaders = res;
    rejectHeaders = rej;
  });
  let req!: http.ClientRequest;
  const done = new Promise<Reply>((resolve, reject) => {
    req = http.get(url, { agent }, (res) => {
      arrived = true;
      resolveHeaders({ status: res.statusCode ?? 0, headers: res.headers });
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        size += c.length;
        for (const w of waiters.filter((w) => size >= w.n)) w.resolve();
      });
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString() });
      });
      res.on('error', reject);
    });
    req.on('error', (e) => {
      rejectHeaders(e);
      reject(e);
    });
  });
  headers.catch(() => {});
  done.catch(() => {});
  return {
    headers,
    done,
    received: () => Buffer.concat(chunks),
    waitFor: (n) => (size >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    headersArrived: () => arrived,
    abort: () => req.destroy(),
  };
}

export interface OpenPost {
  write(chunk: string | Buffer): Promise<void>;
  end(chunk?: string | Buffer): void;
  /** Destroys the request mid-body (a publisher that died). */
  abort(): void;
  reply: Promise<Reply>;
}

/** Starts a chunked POST whose body the test writes piece by piece. */
export function openPost(url: string, headers: Record<string, string> = {}): OpenPost {
  let req!: http.ClientRequest;
  const reply = new Promise<Reply>((resolve, reject) => {
    req = http.request(url, { method: 'POST', agent, headers: { 'Transfer-Encoding': 'chunked', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString() });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  reply.catch(() => {});
  req.flushHeaders();
  return {
    write: (chunk) => new Promise((resolve, reject) => req.write(chunk, (err) => (err ? reject(err) : resolve()))),
    end: (chunk) => void req.end(chunk),
    abort: () => req.destroy(),
    reply,
  };
}

/** Publishes one whole segment and returns the reply. */
export function publish(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  return request('POST', url, { body, headers });
}

/** Waits `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves with true if `p` settles within `ms`, else false (to check that something is still blocked). */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void p.then(
    () => (settled = true),
    () => (settled = true),
  );
  await sleep(ms);
  return settled;
}
