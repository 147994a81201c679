// The orchestrator's live-runner registry as go-livepeer runs it: heartbeats, sessions, trickle channels, O2R.
import { createHmac, randomBytes } from 'node:crypto';
import type { Relay } from '../../../src/relay/index.js';
import { decodeInto, decoderParse, GoJsonError, unmarshalParse } from '../go-json.js';
import { DeleteLiveRunnerTrickleChannelsRequest, LiveRunnerHeartbeatRequest, LiveRunnerTrickleChannelsRequest, StaticLiveRunnerConfig, type HeartbeatRequest, type StaticEntry } from './go-types.js';

/** An answer with go-livepeer's status and text (`http.Error` appends a newline). */
export class RunnerError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Reply {
  status: number;
  body?: string;
  type?: string;
}

export interface ChannelDescriptor {
  name: string;
  channel_name: string;
  url: string;
  internal_url?: string;
  mime_type: string;
}

export interface Session {
  id: string;
  token: string;
  createdAt: number;
  channels: Map<string, ChannelDescriptor>;
}

export interface Runner {
  id: string;
  seed: Buffer;
  heartbeatSecret: string;
  req: HeartbeatRequest;
  lastHeartbeat: number;
  removed: boolean;
  sessions: Map<string, Session>;
  /** Dynamic runners only: their orchestrator-to-runner channel. */
  o2r?: ChannelDescriptor;
  /** Registered from runners.json: no heartbeats, health polled instead. */
  static?: { healthUrl: string; healthyStatus: number; polls: number };
  keepAlive?: NodeJS.Timeout;
  /** Every heartbeat body as received (tests read what the runner sent). */
  heartbeats: HeartbeatRequest[];
}

export interface LiveRunnerRegistryOptions {
  secret: string;
  /** On-chain orchestrators validate price_info; off-chain ones skip it (default false). */
  onchain: boolean;
  heartbeatInterval: string;
  heartbeatTtl: string;
  o2rKeepaliveMs: number;
  relay: Relay;
  /** Where clients reach trickle channels (ServiceURI + /ai/trickle/). */
  publicTrickleBase: string;
  /** Where runners reach them (LiveRunnerAddr + /ai/trickle/). */
  internalTrickleBase: string;
  /** The runner-facing orchestrator URL (heartbeat reply, Livepeer-Session-Control). */
  liveRunnerUri: string;
}

const MAX_METADATA_BYTES = 1024;
const CHANNEL_NAME = /^[A-Za-z0-9_-]+$/;
export const MAX_CHANNELS_PER_REQUEST = 25;

/** Go's base32 (no padding), lower-cased, as go-livepeer prints ids and secrets. */
function base32(bytes: Uint8Array): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

const randomStr = (n: number) => base32(randomBytes(n));
const deriveSecret = (seed: Buffer, label: string) => base32(createHmac('sha256', seed).update(label).digest());

/** Milliseconds of a Go duration string such as "200ms", "5s", "1m0s". */
export function durationMs(d: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const m of d.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * units[m[2]!]!;
  return total;
}

/** big.Rat's SetString accepts decimals (with exponent) and fractions. */
function ratSign(s: string): number | undefined {
  if (/^[+-]?\d+\/\d+$/.test(s)) {
    const [n, d] = s.split('/').map(Number);
    return d === 0 ? undefined : Math.sign(n!);
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  return Math.sign(Number(s));
}

const isReadyStatus = (status: string) => status === '' || status === 'ready';

function validRunnerUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '';
  } catch {
    return false;
  }
}

export class LiveRunnerRegistry {
  readonly runners = new Map<string, Runner>();
  private readonly intervalMs: number;
  private readonly ttlMs: number;
  private readonly expiry: NodeJS.Timeout;
  /** Tests: stop writing O2R keep-alives (a silent orchestrator). */
  o2rSilent = false;

  constructor(private readonly opts: LiveRunnerRegistryOptions) {
    this.intervalMs = durationMs(opts.heartbeatInterval);
    this.ttlMs = durationMs(opts.heartbeatTtl);
    this.expiry = setInterval(() => this.removeExpired(), Math.max(50, this.intervalMs));
  }

  close(): void {
    clearInterval(this.expiry);
    for (const r of this.runners.values()) clearInterval(r.keepAlive);
  }

  private expired(r: Runner, now = Date.now()): boolean {
    return !r.static && now - r.lastHeartbeat > this.ttlMs;
  }

  private sweepPausedUntil = 0;

  private removeExpired(): void {
    const now = Date.now();
    if (now < this.sweepPausedUntil) return;
    for (const [id, r] of this.runners) if (!r.removed && this.expired(r, now)) this.remove(id, r);
  }

  /** Takes a runner out: its O2R channel closes first, then every session is released. */
  remove(id: string, r: Runner): void {
    r.removed = true;
    clearInterval(r.keepAlive);
    if (r.o2r) this.opts.relay.channels.remove(r.o2r.channel_name);
    for (const sid of [...r.sessions.keys()]) this.releaseLocked(r, sid);
    if (this.runners.get(id) === r) this.runners.delete(id);
  }

  /** Tests: the orchestrator forgets every runner (a restart, or a swept expiry): they are unknown from now on. */
  forgetAll(): void {
    for (const [id, r] of [...this.runners]) this.remove(id, r);
  }

  /** Tests: every runner's TTL lapses; the sweep that removes them waits `holdMs` (meanwhile they get 404). */
  expireAll(holdMs: number): void {
    this.sweepPausedUntil = Date.now() + holdMs;
    for (const r of this.runners.values()) r.lastHeartbeat = 0;
  }

  private normalize(runnerId: string, req: HeartbeatRequest): HeartbeatRequest {
    if (!validRunnerUrl(req.runner_url)) throw new RunnerError(400, 'invalid runner_url');
    if (req.app === '' || req.app !== req.app.trim()) throw new RunnerError(400, 'app must be trimmed');
    if (Buffer.byteLength(req.metadata, 'utf8') > MAX_METADATA_BYTES) throw new RunnerError(400, `metadata must be at most ${MAX_METADATA_BYTES} bytes`);
    if (req.metadata.includes('\uFFFD')) throw new RunnerError(400, 'metadata must not contain Unicode replacement character U+FFFD');
    if (req.status !== req.status.trim().toLowerCase()) throw new RunnerError(400, 'status must be lowercase and trimmed');
    const mode = req.mode === '' ? 'persistent' : req.mode === 'single_shot' ? 'single-shot' : req.mode;
    if (mode !== 'persistent' && mode !== 'single-shot') throw new RunnerError(400, 'mode must be "persistent" or "single-shot"');
    if (req.capacity < 0) throw new RunnerError(400, 'capacity must be >= 0');
    const out = { ...req, mode, runner_id: runnerId, capacity: req.capacity === 0 ? 1 : req.capacity };
    if (!this.opts.onchain) return out;
    const price = req.price_info.price.trim();
    if (price === '') throw new RunnerError(400, 'price_info.price is required');
    const sign = ratSign(price);
    if (sign === undefined || sign <= 0) throw new RunnerError(400, 'price_info.price must be a positive decimal');
    const currency = req.price_info.currency.trim().toLowerCase() || 'usd';
    if (currency !== 'usd') throw new RunnerError(400, 'price_info.currency must be usd');
    const unit = req.price_info.unit.trim().toLowerCase() || 'hour';
    if (!['hour', '720p', 'fixed'].includes(unit)) throw new RunnerError(400, 'price_info.unit must be hour, 720p, or fixed');
    return { ...out, price_info: { price: req.price_info.price, currency, unit } };
  }

  /** POST /runners/heartbeat. */
  heartbeat(body: string, auth: string): Reply {
    let req = decodeBody<HeartbeatRequest>(body, LiveRunnerHeartbeatRequest);
    const runnerId = req.runner_id.trim() || `runner_${randomStr(5)}`;
    req = this.normalize(runnerId, req);
    const common = {
      runner_id: runnerId,
      orchestrator: this.opts.liveRunnerUri,
      heartbeat_interval: this.opts.heartbeatInterval,
      heartbeat_ttl: this.opts.heartbeatTtl,
    };
    const known = this.runners.get(runnerId);
    if (!known) {
      if (!this.opts.secret) throw new RunnerError(404, 'dynamic live runner registration is disabled');
      if (auth !== this.opts.secret) throw new RunnerError(401, 'invalid registration authorization');
      const seed = randomBytes(32);
      const channelName = `${runnerId}-${deriveSecret(seed, 'trickle:o2r').slice(0, 16)}-o2r`;
      const runner: Runner = {
        id: runnerId,
        seed,
        heartbeatSecret: deriveSecret(seed, 'heartbeat'),
        req,
        lastHeartbeat: Date.now(),
        removed: false,
        sessions: new Map(),
        o2r: { name: 'o2r', channel_name: channelName, url: this.opts.internalTrickleBase + channelName, mime_type: 'application/json' },
        heartbeats: [req],
      };
      this.opts.relay.channels.create(channelName, 'application/json');
      runner.keepAlive = setInterval(() => {
        if (!this.o2rSilent) this.opts.relay.channels.write(channelName, Buffer.from('{"keep":"alive"}'));
      }, this.opts.o2rKeepaliveMs);
      this.runners.set(runnerId, runner);
      const o2r = runner.o2r!;
      return json({ ...common, heartbeat_secret: runner.heartbeatSecret, o2r: { name: o2r.name, channel_name: o2r.channel_name, url: o2r.url, mime_type: o2r.mime_type }, session_ids: this.sessionIds(runner) });
    }
    if (known.removed || this.expired(known)) throw new RunnerError(404, 'runner not found');
    if (auth !== known.heartbeatSecret) throw new RunnerError(401, 'invalid heartbeat authorization');
    if (known.static) throw new RunnerError(400, 'static runner cannot heartbeat');
    known.req = req;
    known.heartbeats.push(req);
    known.lastHeartbeat = Date.now();
    return json({ ...common, session_ids: this.sessionIds(known) });
  }

  private sessionIds(r: Runner): string[] {
    return [...r.sessions.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id)).map((s) => s.id);
  }

  /** POST /runners/{runner_id}/unregister (no body; the heartbeat secret). */
  unregister(runnerId: string, auth: string): Reply {
    const r = this.runners.get(runnerId);
    if (!r || r.removed || this.expired(r)) throw new RunnerError(404, 'runner not found');
    if (r.static) throw new RunnerError(400, 'static runner cannot unregister with heartbeat credentials');
    if (auth !== r.heartbeatSecret) throw new RunnerError(401, 'invalid authorization');
    this.remove(runnerId, r);
    return { status: 204 };
  }

  private lock(runnerId: string): Runner {
    const r = this.runners.get(runnerId);
    if (!r || r.removed || this.expired(r)) throw new RunnerError(404, 'runner not found');
    return r;
  }

  /**
   * -liveRunnerConfig: json.Unmarshal into StaticLiveRunnerConfig, each entry checked like a
   * heartbeat (plus label and health fields); the runner is ready only while its health_url
   * answers healthy_status_code (polled every `healthIntervalMs`, 3 s timeout).
   */
  registerStatic(text: string, healthIntervalMs = 5000): Runner[] {
    let cfg: { runners: StaticEntry[] | null };
    try {
      cfg = decodeInto(unmarshalParse(text), StaticLiveRunnerConfig);
    } catch (err) {
      if (err instanceof GoJsonError) throw new RunnerError(400, err.message);
      throw err;
    }
    const entries = cfg.runners ?? [];
    const built = entries.map((e, i) => {
      const fail = (msg: string): never => {
        throw new RunnerError(400, `runners[${i}]: ${msg}`);
      };
      const routing = e.routing.trim() || 'runner-id';
      if (routing !== 'runner-id' && routing !== 'label') fail('routing must be "runner-id" or "label"');
      const healthyStatus = e.healthy_status_code === 0 ? 200 : e.healthy_status_code;
      let healthUrl = e.health_url;
      if (healthUrl.startsWith('/')) {
        if (!validRunnerUrl(e.runner_url)) fail('invalid runner_url');
        healthUrl = e.runner_url.replace(/\/+$/, '') + healthUrl;
      }
      if (e.label === '' || e.label !== e.label.trim()) fail('label is required and must be trimmed');
      if (healthUrl === '') fail('health_url is required');
      if (!validRunnerUrl(healthUrl)) fail('invalid health_url');
      if (healthyStatus < 100 || healthyStatus > 599) fail('healthy_status_code must be a valid HTTP status code');
      if (entries.findIndex((o) => o.label === e.label) !== i) fail(`duplicate label ${JSON.stringify(e.label)}`);
      let req: HeartbeatRequest;
      try {
        req = this.normalize('static', { ...e, runner_id: '', status: '', session_ids: null });
      } catch (err) {
        return fail((err as Error).message);
      }
      return { req, healthUrl, healthyStatus };
    });
    return built.map(({ req, healthUrl, healthyStatus }) => {
      const id = `runner_${randomStr(5)}`;
      const runner: Runner = {
        id,
        seed: randomBytes(32),
        heartbeatSecret: '',
        req: { ...req, runner_id: id, status: 'unavailable' },
        lastHeartbeat: Date.now(),
        removed: false,
        sessions: new Map(),
        static: { healthUrl, healthyStatus, polls: 0 },
        heartbeats: [],
      };
      this.runners.set(id, runner);
      const poll = async () => {
        let healthy = false;
        try {
          const res = await fetch(healthUrl, { signal: AbortSignal.timeout(3000) });
          await res.arrayBuffer();
          healthy = res.status === healthyStatus;
        } catch {
          healthy = false;
        }
        runner.static!.polls++;
        runner.req.status = healthy ? 'ready' : 'unavailable';
        if (!healthy) for (const sid of [...runner.sessions.keys()]) this.releaseLocked(runner, sid);
      };
      void poll();
      runner.keepAlive = setInterval(() => void poll(), healthIntervalMs);
      return runner;
    });
  }

  /** The client's reservation (ReserveSession): a ready runner with room gets a new session. */
  reserve(runnerId: string, sessionId?: string): Session {
    const r = this.lock(runnerId);
    if (!isReadyStatus(r.req.status)) throw new RunnerError(404, 'runner not found');
    if (r.sessions.size >= r.req.capacity) throw new RunnerError(503, 'no capacity available for runner');
    const id = sessionId ?? `session_${randomStr(5)}`;
    if (r.sessions.has(id)) throw new RunnerError(409, 'session already exists');
    const session: Session = { id, token: deriveSecret(r.seed, `session:${id}`), createdAt: Date.now(), channels: new Map() };
    r.sessions.set(id, session);
    this.sendSessionEvent(r, 'reserved', id);
    return session;
  }

  /** ReleaseSession: an unknown session is no error; a known one is announced on O2R and its channels close. */
  release(runnerId: string, sessionId: string): void {
    this.releaseLocked(this.lock(runnerId), sessionId);
  }

  private releaseLocked(r: Runner, sessionId: string): void {
    const session = r.sessions.get(sessionId);
    if (session) {
      this.sendSessionEvent(r, 'released', sessionId);
      for (const c of session.channels.values()) this.opts.relay.channels.remove(c.channel_name);
      session.channels.clear();
    }
    r.sessions.delete(sessionId);
  }

  private sendSessionEvent(r: Runner, event: 'reserved' | 'released', session: string): void {
    if (r.removed || !r.o2r) return;
    this.opts.relay.channels.write(r.o2r.channel_name, Buffer.from(JSON.stringify({ event, session, timestamp: new Date().toISOString() })));
  }

  /** ValidSessionToken: runner, readiness, session, then the token. */
  validSessionToken(runnerId: string, sessionId: string, token: string): Session {
    const r = this.lock(runnerId);
    if (!isReadyStatus(r.req.status)) throw new RunnerError(404, 'runner not found');
    const session = r.sessions.get(sessionId);
    if (!session) throw new RunnerError(404, 'runner session not found');
    if (token !== session.token) throw new RunnerError(401, 'invalid authorization');
    return session;
  }

  /** RunnerEndpointForSession + SessionTokenForSession (what the reverse proxy needs). */
  endpointForSession(runnerId: string, sessionId: string): { url: string; token: string } {
    const r = this.lock(runnerId);
    if (!isReadyStatus(r.req.status)) throw new RunnerError(404, 'runner not found');
    const session = r.sessions.get(sessionId);
    if (!session) throw new RunnerError(404, 'runner session not found');
    return { url: r.req.runner_url, token: session.token };
  }

  sessionControlUrl(runnerId: string, sessionId: string): string {
    return `${this.opts.liveRunnerUri}/runner/${runnerId}/session/${sessionId}`;
  }

  private static channelName(raw: string): string {
    const name = raw.trim().split('/').join('-');
    if (name === '') throw new RunnerError(400, 'trickle channel name is required');
    if (!CHANNEL_NAME.test(name)) throw new RunnerError(400, 'trickle channel name may only contain alphanumerics, underscores, or hyphens');
    return name;
  }

  /** POST /runner/{rid}/session/{sid}/channels: token first, then the body; idempotent by name. */
  createChannels(runnerId: string, sessionId: string, token: string, body: string): Reply {
    const session = this.validSessionToken(runnerId, sessionId, token);
    const req = decodeBody<{ channels: { name: string; mime_type: string }[] | null }>(body, LiveRunnerTrickleChannelsRequest);
    const list = req.channels ?? [];
    if (list.length === 0) throw new RunnerError(400, 'channels is required');
    if (list.length > MAX_CHANNELS_PER_REQUEST) throw new RunnerError(400, `channels cannot contain more than ${MAX_CHANNELS_PER_REQUEST} entries`);
    const out: ChannelDescriptor[] = [];
    for (const c of list) {
      const name = LiveRunnerRegistry.channelName(c.name);
      const existing = session.channels.get(name);
      if (existing) {
        out.push(existing);
        continue;
      }
      const channelName = `${sessionId}-${name}`;
      const mime = c.mime_type.trim() === '' ? 'application/octet-stream' : c.mime_type;
      const desc = { name, channel_name: channelName, url: this.opts.publicTrickleBase + channelName, internal_url: this.opts.internalTrickleBase + channelName, mime_type: mime };
      this.opts.relay.channels.create(channelName, mime);
      session.channels.set(name, desc);
      out.push(desc);
    }
    return json({ channels: out });
  }

  /** DELETE /runner/{rid}/session/{sid}/channels with {"channels":[names]}. */
  deleteChannels(runnerId: string, sessionId: string, token: string, body: string): Reply {
    const session = this.validSessionToken(runnerId, sessionId, token);
    const req = decodeBody<{ channels: string[] | null }>(body, DeleteLiveRunnerTrickleChannelsRequest);
    const names = req.channels ?? [];
    if (names.length === 0) throw new RunnerError(400, 'channels is required');
    if (names.length > MAX_CHANNELS_PER_REQUEST) throw new RunnerError(400, `channels cannot contain more than ${MAX_CHANNELS_PER_REQUEST} entries`);
    for (const raw of names) {
      const name = LiveRunnerRegistry.channelName(raw);
      const c = session.channels.get(name);
      if (!c) throw new RunnerError(404, 'trickle channel not found');
      this.opts.relay.channels.remove(c.channel_name);
      session.channels.delete(name);
    }
    return json({ deleted: names });
  }

  /** POST /runner/{rid}/session/{sid}/stop: the runner releases its own session. */
  stopSession(runnerId: string, sessionId: string, token: string): Reply {
    this.validSessionToken(runnerId, sessionId, token);
    this.release(runnerId, sessionId);
    return { status: 204 };
  }
}

/** A body decoded the way a go-livepeer handler does (json.NewDecoder), or a 400 with Go's message. */
function decodeBody<T>(body: string, type: Parameters<typeof decodeInto>[1]): T {
  try {
    return decodeInto<T>(decoderParse(body), type);
  } catch (err) {
    if (err instanceof GoJsonError) throw new RunnerError(400, err.message);
    throw err;
  }
}

function json(value: unknown): Reply {
  return { status: 200, body: JSON.stringify(value), type: 'application/json' };
}
