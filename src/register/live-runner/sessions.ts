// Orchestrator sessions as a worker sees them: the proxy's four headers, and the callbacks that make a session's channels.
import { TrickleError } from '../../errors.js';
import { silentLogger, type Logger } from '../../logger.js';
import { insecureDispatcher, orchRequest, replyText } from '../http.js';
import type { TrickleChannel } from './wire.js';

/** The headers go-livepeer's reverse proxy adds to every request of a session. */
export const SESSION_HEADERS = {
  route: 'livepeer-runner-route',
  id: 'livepeer-session-id',
  token: 'livepeer-session-token',
  control: 'livepeer-session-control',
} as const;

/** A request's session: which one, its token, the runner it was routed to and where to call back. */
export interface RunnerSession {
  id: string;
  token: string;
  runnerId: string;
  /** Callback base from Livepeer-Session-Control (`…/runner/{rid}/session/{sid}`, or the orchestrator's root). */
  control: string;
}

/** The channels a stream of a session uses: what the worker reads and writes, and what the client is given. */
export interface SessionChannels {
  /** Names created through the callback (deleted again when the stream ends). */
  names: string[];
  worker: { subscribe: string; publish: string; control: string; events: string; data: string };
  client: { publish: string; subscribe: string; control: string; events: string; data: string };
}

/** The stream's channels: name and MIME type as the orchestrator records them. */
export const STREAM_CHANNELS = [
  { name: 'in', mime_type: 'video/MP2T' },
  { name: 'out', mime_type: 'video/MP2T' },
  { name: 'control', mime_type: 'application/json' },
  { name: 'events', mime_type: 'application/json' },
  { name: 'data', mime_type: 'application/jsonl' },
] as const;

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  const s = (Array.isArray(v) ? v[0] : v)?.trim();
  return s ? s : undefined;
}

export interface SessionCallbackOptions {
  log?: Logger;
  insecure?: boolean;
  /** The registration's runner-facing orchestrator URL: used when the header's address cannot be reached. */
  fallbackBase?: () => string | undefined;
  timeoutMs?: number;
}

/** Reads sessions off requests and makes the orchestrator callbacks for them (token header, never logged). */
export class SessionCallbacks {
  private readonly log: Logger;

  constructor(private readonly opts: SessionCallbackOptions = {}) {
    this.log = opts.log ?? silentLogger;
  }

  /** The session a proxied request belongs to; undefined when it did not come through a session. */
  fromHeaders(headers: Headers): RunnerSession | undefined {
    const id = header(headers, SESSION_HEADERS.id);
    if (!id) return undefined;
    const session = {
      id,
      token: header(headers, SESSION_HEADERS.token) ?? '',
      runnerId: header(headers, SESSION_HEADERS.route) ?? '',
      control: header(headers, SESSION_HEADERS.control) ?? '',
    };
    this.log.secret?.(session.token);
    return session;
  }

  /** The callback URL for `action` (channels, stop) of a session, from a base that may or may not hold the session path. */
  private static url(base: string, s: RunnerSession, action: string): string {
    const root = base.replace(/\/+$/, '');
    const path = `/runner/${encodeURIComponent(s.runnerId)}/session/${encodeURIComponent(s.id)}`;
    return `${root.endsWith(path) ? root : root + path}/${action}`;
  }

  private async call(s: RunnerSession, method: 'POST' | 'DELETE', action: string, body?: unknown): Promise<{ status: number; text: string }> {
    if (!s.token || !s.runnerId) {
      throw new TrickleError('TRICKLE_USAGE', 'session request without Livepeer-Session-Token or Livepeer-Runner-Route: cannot call the orchestrator back');
    }
    const bases = [s.control, this.opts.fallbackBase?.()].filter((b, i, all): b is string => !!b && all.indexOf(b) === i);
    if (bases.length === 0) throw new TrickleError('TRICKLE_USAGE', 'session request without Livepeer-Session-Control and no registration to call back');
    const dispatcher = this.opts.insecure ? insecureDispatcher() : undefined;
    try {
      for (let i = 0; ; i++) {
        try {
          return await orchRequest({
            url: SessionCallbacks.url(bases[i]!, s, action),
            method,
            headers: { 'Livepeer-Session-Token': s.token },
            body: body === undefined ? undefined : JSON.stringify(body),
            timeoutMs: this.opts.timeoutMs ?? 5000,
            dispatcher,
          });
        } catch (err) {
          // The header carries the orchestrator's public address, which a containerised runner may not reach.
          if (i + 1 >= bases.length || !(err instanceof TrickleError && (err.code === 'TRICKLE_CONNECT' || err.code === 'TRICKLE_TIMEOUT'))) throw err;
          this.log.warn('session callback address unreachable; using the registration address', { error: err.message });
        }
      }
    } finally {
      await dispatcher?.close().catch(() => undefined);
    }
  }

  /** Creates the stream's channels (POST …/channels); their URLs become secrets of the logger. */
  async openChannels(s: RunnerSession): Promise<SessionChannels> {
    const res = await this.call(s, 'POST', 'channels', { channels: STREAM_CHANNELS });
    if (res.status !== 200) {
      throw new TrickleError('TRICKLE_HTTP_STATUS', `orchestrator refused the session's channels (${res.status} ${replyText(res.text)})`, { details: { status: res.status } });
    }
    let list: TrickleChannel[];
    try {
      list = (JSON.parse(res.text) as { channels: TrickleChannel[] }).channels;
      if (!Array.isArray(list)) throw new Error('no channels');
    } catch {
      throw new TrickleError('TRICKLE_HTTP_STATUS', 'orchestrator answered the channel request with no channel list');
    }
    for (const c of list) for (const v of [c.url, c.internal_url, c.channel_name]) this.log.secret?.(v);
    const byName = new Map(list.map((c) => [c.name, c]));
    const get = (name: string) => {
      const c = byName.get(name);
      if (!c?.url) throw new TrickleError('TRICKLE_HTTP_STATUS', `orchestrator did not return the ${name} channel`);
      return c;
    };
    const inside = (name: string) => get(name).internal_url || get(name).url;
    return {
      names: STREAM_CHANNELS.map((c) => c.name),
      worker: { subscribe: inside('in'), publish: inside('out'), control: inside('control'), events: inside('events'), data: inside('data') },
      client: { publish: get('in').url, subscribe: get('out').url, control: get('control').url, events: get('events').url, data: get('data').url },
    };
  }

  /** Deletes channels the worker created (DELETE …/channels); a failure is logged, never thrown. */
  async closeChannels(s: RunnerSession, names: readonly string[]): Promise<void> {
    try {
      const res = await this.call(s, 'DELETE', 'channels', { channels: names });
      if (res.status !== 200) this.log.warn('orchestrator did not delete the session channels', { session: s.id, status: res.status, reason: replyText(res.text) });
    } catch (err) {
      this.log.warn('deleting the session channels failed', { session: s.id, error: (err as Error).message });
    }
  }

  /** Hands the session back (POST …/stop, 204): the orchestrator frees its slot. Never throws. */
  async release(s: RunnerSession): Promise<void> {
    try {
      const res = await this.call(s, 'POST', 'stop');
      if (res.status === 204 || res.status === 200) this.log.info('session released', { session: s.id });
      else this.log.warn('orchestrator did not release the session', { session: s.id, status: res.status, reason: replyText(res.text) });
    } catch (err) {
      this.log.warn('releasing the session failed', { session: s.id, error: (err as Error).message });
    }
  }
}
