// A test orchestrator as strict as go-livepeer's: BYOC, live-runner heartbeats, sessions and their trickle channels.
//
// Requests are decoded into go-livepeer's exact Go types (test/helpers/go-json.ts) and refused
// with its statuses and texts; a trickle relay (ours, go-livepeer's semantics) serves the channels
// at /ai/trickle/ — internal URLs point at it directly, public ones pass through this server.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRelay, type Relay } from '../../src/relay/index.js';
import { ByocRegistry, type WorkerCall } from './orchestrator/byoc.js';
import type { ExternalCapabilityValue, HeartbeatRequest } from './orchestrator/go-types.js';
import { LiveRunnerRegistry, RunnerError, type Reply, type Runner, type Session } from './orchestrator/live-runners.js';

export type { Runner, Session } from './orchestrator/live-runners.js';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
  status: number;
  /** What was answered (error texts, JSON replies). */
  reply: string;
}

export interface FakeOrchestratorOptions {
  secret: string;
  /** An on-chain orchestrator checks price_info (positive price, usd, unit); off-chain ignores it (default). */
  onchain?: boolean;
  /** Reply heartbeat_interval (Go duration; go-livepeer's is "5s"). */
  heartbeatInterval?: string;
  /** Reply heartbeat_ttl (default "20s"). */
  heartbeatTtl?: string;
  /** O2R keep-alive period (default 10000, go-livepeer's). */
  o2rKeepaliveMs?: number;
  /** Currencies the BYOC price feed can convert (default none: only wei/eth/""). */
  priceFeed?: string[];
  /** Answer the first N requests to /capability/register or /runners/heartbeat with 503. */
  failFirst?: number;
  /** Answer the first N of them with a 500 whose body quotes the request (headers and body), as a broken proxy might. */
  echoFirst?: number;
  /** Hold every register/heartbeat request this long before answering. */
  delayMs?: number;
}

export interface FakeOrchestrator {
  url: string;
  secret: string;
  requests: RecordedRequest[];
  relay: Relay;
  /** BYOC capabilities by name (their decoded registration). */
  capabilities: Map<string, ExternalCapabilityValue>;
  /** BYOC capabilities dropped after a worker 401. */
  dropped: string[];
  runners: Map<string, Runner>;
  /** The last heartbeat body of a runner, decoded. */
  lastHeartbeat(runnerId?: string): HeartbeatRequest | undefined;
  /** Public trickle requests (clients' side): method and channel name. */
  publicTrickle: { method: string; channel: string }[];
  /** The orchestrator forgets every runner (restart, swept expiry): heartbeats get 401 "invalid registration authorization". */
  forgetRunners(): void;
  /** Every runner's TTL lapses: heartbeats (and bootstraps) get 404 "runner not found" until the sweep, `holdMs` later, removes them. */
  expireRunners(holdMs?: number): void;
  /** Stop (or resume) the O2R keep-alives. */
  silenceO2r(silent: boolean): void;
  /** A client reserving a session on a runner (throws RunnerError as go-livepeer answers). */
  reserve(runnerId: string): Session;
  /** -liveRunnerConfig: registers runners.json's entries (throws RunnerError as go-livepeer refuses them). */
  registerStatic(runnersJson: string, healthIntervalMs?: number): Runner[];
  /** The orchestrator releasing a session (O2R `released`, its channels closed). */
  release(runnerId: string, sessionId: string): void;
  /** The public URL a client calls the runner's app through (the reverse proxy). */
  appUrl(runnerId: string, sessionId: string, path: string): string;
  /** BYOC: the orchestrator calling the worker's /stream/{route} for a stream. */
  callWorker(capability: string, route: 'start' | 'stop' | 'params', streamId: string, body: Record<string, unknown>): Promise<WorkerCall>;
  to(path: string): RecordedRequest[];
  waitFor(path: string, count?: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.status === 204 || reply.body === undefined) {
    res.writeHead(reply.status);
    res.end();
    return;
  }
  res.writeHead(reply.status, { 'Content-Type': reply.type ?? 'application/json' });
  res.end(reply.body);
}

/** Go's http.Error: text/plain, nosniff, the message and a newline. */
function httpError(status: number, message: string): Reply {
  return { status, body: `${message}\n`, type: 'text/plain; charset=utf-8' };
}

/** Starts the test orchestrator (and its trickle relay) on 127.0.0.1 and free ports. */
export async function startOrchestrator(opts: FakeOrchestratorOptions): Promise<FakeOrchestrator> {
  const relay = await createRelay({ port: 0, path: '/ai/trickle/', autocreate: false });
  const requests: RecordedRequest[] = [];
  const publicTrickle: { method: string; channel: string }[] = [];
  const waiters = new Set<() => void>();
  let failures = opts.failFirst ?? 0;
  let echoes = opts.echoFirst ?? 0;
  const byoc = new ByocRegistry({ secret: opts.secret, priceFeed: opts.priceFeed ?? [] });
  let url = '';
  let runners!: LiveRunnerRegistry;

  const forwardTrickle = (req: IncomingMessage, res: ServerResponse, path: string) => {
    publicTrickle.push({ method: req.method ?? '', channel: decodeURIComponent(path.slice('/ai/trickle/'.length).split('/')[0] ?? '') });
    forward(req, res, new URL(path + (req.url?.includes('?') ? req.url.slice(req.url.indexOf('?')) : ''), relay.url).href, {});
  };

  const proxyToRunner = (req: IncomingMessage, res: ServerResponse, rid: string, sid: string, appPath: string) => {
    let target: { url: string; token: string };
    try {
      target = runners.endpointForSession(rid, sid);
    } catch (err) {
      const e = err as RunnerError;
      return send(res, httpError(e.status, e.message));
    }
    const base = new URL(target.url);
    const path = `/${[base.pathname, appPath].join('/').split('/').filter(Boolean).join('/')}`;
    const query = req.url?.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    forward(req, res, `${base.origin}${path}${query}`, {
      'livepeer-runner-route': rid,
      'livepeer-session-id': sid,
      'livepeer-session-token': target.token,
      'livepeer-session-control': runners.sessionControlUrl(rid, sid),
    });
  };

  const route = async (method: string, path: string, headers: IncomingHttpHeaders, body: string): Promise<Reply> => {
    const auth = headers.authorization ?? '';
    const token = String(headers['livepeer-session-token'] ?? '');
    const counted = path === '/capability/register' || path === '/runners/heartbeat';
    if (counted && opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    if (counted && echoes > 0) {
      echoes--;
      return httpError(500, `upstream failed for request: Authorization: ${auth} body: ${body}`);
    }
    if (counted && failures > 0) {
      failures--;
      return httpError(503, 'busy');
    }
    if (path === '/capability/register') return byoc.register(method, auth, body);
    if (path === '/capability/unregister') return byoc.unregister(method, auth, body);
    const mux: [string, RegExp, (m: RegExpExecArray) => Reply][] = [
      ['POST', /^\/runners\/heartbeat$/, () => runners.heartbeat(body, auth)],
      ['POST', /^\/runners\/([^/]+)\/unregister$/, (m) => runners.unregister(m[1]!, auth)],
      ['POST', /^\/runner\/([^/]+)\/session\/([^/]+)\/channels$/, (m) => runners.createChannels(m[1]!, m[2]!, token, body)],
      ['DELETE', /^\/runner\/([^/]+)\/session\/([^/]+)\/channels$/, (m) => runners.deleteChannels(m[1]!, m[2]!, token, body)],
      ['POST', /^\/runner\/([^/]+)\/session\/([^/]+)\/stop$/, (m) => runners.stopSession(m[1]!, m[2]!, token)],
      ['POST', /^\/apps\/([^/]+)\/session\/([^/]+)\/stop$/, (m) => (runners.release(m[1]!, m[2]!), { status: 204 })],
    ];
    const matching = mux.filter(([, re]) => re.test(path));
    if (matching.length === 0) return httpError(404, '404 page not found');
    const hit = matching.find(([m]) => m === method);
    if (!hit) return httpError(405, 'Method Not Allowed');
    try {
      return hit[2](hit[1].exec(path)!);
    } catch (err) {
      if (err instanceof RunnerError) return httpError(err.status, err.message);
      return httpError(500, (err as Error).message);
    }
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/ai/trickle/')) return forwardTrickle(req, res, path);
    const app = /^\/apps\/([^/]+)\/session\/([^/]+)\/app\/(.*)$/.exec(path);
    if (app) return proxyToRunner(req, res, app[1]!, app[2]!, app[3]!);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const record: RecordedRequest = { method: req.method ?? '', path, headers: req.headers, body, at: Date.now(), status: 0, reply: '' };
      const reply = await route(req.method ?? '', path, req.headers, body);
      if ('panic' in reply && reply.panic) {
        record.status = -1;
        requests.push(record);
        for (const w of waiters) w();
        req.socket.destroy();
        return;
      }
      record.status = reply.status;
      record.reply = reply.body ?? '';
      requests.push(record);
      send(res, reply);
      for (const w of waiters) w();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  runners = new LiveRunnerRegistry({
    secret: opts.secret,
    onchain: opts.onchain ?? false,
    heartbeatInterval: opts.heartbeatInterval ?? '5s',
    heartbeatTtl: opts.heartbeatTtl ?? '20s',
    o2rKeepaliveMs: opts.o2rKeepaliveMs ?? 10_000,
    relay,
    publicTrickleBase: `${url}/ai/trickle/`,
    internalTrickleBase: relay.url,
    liveRunnerUri: url,
  });
  const to = (path: string) => requests.filter((r) => r.path === path);
  return {
    url,
    secret: opts.secret,
    requests,
    relay,
    capabilities: byoc.capabilities,
    dropped: byoc.dropped,
    runners: runners.runners,
    lastHeartbeat(runnerId) {
      const r = runnerId ? runners.runners.get(runnerId) : [...runners.runners.values()].at(-1);
      return r?.heartbeats.at(-1);
    },
    publicTrickle,
    forgetRunners: () => runners.forgetAll(),
    expireRunners: (holdMs = 1000) => runners.expireAll(holdMs),
    silenceO2r: (silent) => {
      runners.o2rSilent = silent;
    },
    reserve: (rid) => runners.reserve(rid),
    registerStatic: (text, ms) => runners.registerStatic(text, ms),
    release: (rid, sid) => runners.release(rid, sid),
    appUrl: (rid, sid, path) => `${url}/apps/${rid}/session/${sid}/app/${path.replace(/^\/+/, '')}`,
    callWorker: (name, routeName, streamId, body) => byoc.call(name, routeName, streamId, body),
    to,
    waitFor(path, count = 1, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (to(path).length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(to(path));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${count} × ${path}; got ${to(path).length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: async () => {
      runners.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await relay.close();
    },
  };
}

/** A transparent streaming HTTP forward (request and response bodies flow as they come). */
function forward(req: IncomingMessage, res: ServerResponse, target: string, extra: Record<string, string>): void {
  const u = new URL(target);
  const headers = { ...req.headers, ...extra, host: u.host };
  const out = httpRequest({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: req.method, headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  out.on('error', (err) => {
    if (!res.headersSent) send(res, httpError(502, err.message));
    else res.destroy();
  });
  req.pipe(out);
  res.on('close', () => {
    if (!res.writableFinished) out.destroy();
  });
}
