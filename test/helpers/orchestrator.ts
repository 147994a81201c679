// A small real orchestrator for registration tests: BYOC /capability/* and the live-runner heartbeat protocol.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
  status: number;
}

interface Runner {
  id: string;
  heartbeatSecret: string;
  last: Record<string, unknown>;
}

export interface FakeOrchestratorOptions {
  secret: string;
  /** What /runners/heartbeat returns as heartbeat_interval (Go duration, default "200ms"). */
  heartbeatInterval?: string;
  /** Answer the first N requests to /capability/register or /runners/heartbeat with 503. */
  failFirst?: number;
  /** Hold every register/heartbeat request this long before answering. */
  delayMs?: number;
}

export interface FakeOrchestrator {
  url: string;
  secret: string;
  requests: RecordedRequest[];
  /** BYOC capabilities by name (their registration body). */
  capabilities: Map<string, Record<string, unknown>>;
  runners: Map<string, Runner>;
  /** Session ids every heartbeat reply lists. */
  sessionIds: string[];
  /** Expire every runner: its next heartbeat gets 404 and it must bootstrap again. */
  forgetRunners(): void;
  /** Requests to `path` so far. */
  to(path: string): RecordedRequest[];
  /** Resolves once `count` requests to `path` arrived (rejects after timeoutMs). */
  waitFor(path: string, count?: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

/** Starts the fake orchestrator on 127.0.0.1 and a free port. */
export async function startOrchestrator(opts: FakeOrchestratorOptions): Promise<FakeOrchestrator> {
  const requests: RecordedRequest[] = [];
  const capabilities = new Map<string, Record<string, unknown>>();
  const runners = new Map<string, Runner>();
  let failures = opts.failFirst ?? 0;
  const waiters = new Set<() => void>();
  const state = { sessionIds: [] as string[] };
  // Runners the orchestrator expired: their next heartbeat gets 404 (go-livepeer's "runner not found").
  const expired = new Set<string>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const record: RecordedRequest = { method: req.method ?? '', path, headers: req.headers, body, at: Date.now(), status: 0 };
      const reply = (status: number, text: string, type = 'application/json') => {
        record.status = status;
        requests.push(record);
        res.writeHead(status, { 'Content-Type': type });
        res.end(text);
        for (const w of waiters) w();
      };
      const auth = req.headers.authorization ?? '';
      if (req.method !== 'POST') return reply(405, 'Method not allowed', 'text/plain');
      const counted = path === '/capability/register' || path === '/runners/heartbeat';
      if (counted && opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      if (counted && failures > 0) {
        failures--;
        return reply(503, 'busy', 'text/plain');
      }
      if (path === '/capability/register') {
        if (auth !== opts.secret) return reply(400, 'invalid authorization', 'text/plain');
        let cap: Record<string, unknown>;
        try {
          cap = JSON.parse(body) as Record<string, unknown>;
        } catch (err) {
          return reply(400, `Error registering capability: ${(err as Error).message}`, 'text/plain');
        }
        if (!Number.isInteger(cap.price_per_unit) || !Number.isInteger(cap.capacity)) {
          return reply(400, 'Error registering capability: json: cannot unmarshal number', 'text/plain');
        }
        capabilities.set(String(cap.name), cap);
        return reply(200, 'ok');
      }
      if (path === '/capability/unregister') {
        if (auth !== opts.secret) return reply(400, 'invalid authorization', 'text/plain');
        capabilities.delete(body);
        return reply(200, 'ok');
      }
      if (path === '/runners/heartbeat') {
        let hb: Record<string, unknown>;
        try {
          hb = JSON.parse(body) as Record<string, unknown>;
        } catch {
          return reply(400, 'invalid json', 'text/plain');
        }
        const id = typeof hb.runner_id === 'string' && hb.runner_id ? hb.runner_id : `runner_${randomBytes(4).toString('hex')}`;
        const known = runners.get(id);
        const common = {
          runner_id: id,
          orchestrator: url,
          heartbeat_interval: opts.heartbeatInterval ?? '200ms',
          heartbeat_ttl: '20s',
          session_ids: state.sessionIds,
        };
        if (!known) {
          if (auth !== opts.secret && expired.has(id)) return reply(404, 'runner not found', 'text/plain');
          if (auth !== opts.secret) return reply(401, 'invalid registration authorization', 'text/plain');
          expired.delete(id);
          const runner = { id, heartbeatSecret: randomBytes(16).toString('hex'), last: hb };
          runners.set(id, runner);
          return reply(200, JSON.stringify({ ...common, heartbeat_secret: runner.heartbeatSecret, o2r: { name: 'o2r', channel_name: `${id}-o2r`, url: `${url}/ai/trickle/${id}-o2r`, mime_type: 'application/json' } }));
        }
        if (auth !== known.heartbeatSecret) return reply(401, 'invalid heartbeat authorization', 'text/plain');
        known.last = hb;
        return reply(200, JSON.stringify(common));
      }
      if (path === '/runners/unregister') {
        let id = '';
        try {
          id = String((JSON.parse(body) as { runner_id?: unknown }).runner_id ?? '');
        } catch {
          /* stays empty */
        }
        const known = runners.get(id);
        if (!known) return reply(404, 'runner not found', 'text/plain');
        if (auth !== known.heartbeatSecret) return reply(401, 'invalid authorization', 'text/plain');
        runners.delete(id);
        return reply(200, 'ok');
      }
      reply(404, 'not found', 'text/plain');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const to = (path: string) => requests.filter((r) => r.path === path);
  return {
    url,
    secret: opts.secret,
    requests,
    capabilities,
    runners,
    get sessionIds() {
      return state.sessionIds;
    },
    set sessionIds(v: string[]) {
      state.sessionIds = v;
    },
    forgetRunners: () => {
      for (const id of runners.keys()) expired.add(id);
      runners.clear();
    },
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
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
