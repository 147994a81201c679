// BYOC as go-livepeer's orchestrator runs it: capability register/unregister, and its calls to the worker's /stream/*.
import { decodeInto, GoJsonError, unmarshalParse } from '../go-json.js';
import { ExternalCapability, type ExternalCapabilityValue } from './go-types.js';

export interface ByocReply {
  status: number;
  body: string;
  type: string;
  /** The handler panicked (a currency without a price feed): the connection is dropped. */
  panic?: boolean;
}

export interface WorkerCall {
  status: number;
  text: string;
}

/** Currencies a price is fixed in without a price feed (AutoConvertedPrice). */
const FIXED_CURRENCIES = ['', 'wei', 'eth'];

export class ByocRegistry {
  readonly capabilities = new Map<string, ExternalCapabilityValue>();
  /** Capabilities dropped because their worker answered 401. */
  readonly dropped: string[] = [];

  constructor(private readonly opts: { secret: string; priceFeed: readonly string[] }) {}

  /** POST /capability/register: raw secret (400 otherwise), json.Unmarshal into ExternalCapability. */
  register(method: string, auth: string, body: string): ByocReply {
    if (method !== 'POST') return { status: 405, body: 'Method not allowed\n', type: 'text/plain; charset=utf-8' };
    if (auth !== this.opts.secret) return { status: 400, body: 'invalid authorization\n', type: 'text/plain; charset=utf-8' };
    let cap: ExternalCapabilityValue;
    try {
      cap = decodeInto<ExternalCapabilityValue>(unmarshalParse(body), ExternalCapability);
    } catch (err) {
      if (!(err instanceof GoJsonError)) throw err;
      return { status: 400, body: `Error registering capability: ${err.message}`, type: 'application/json' };
    }
    if (cap.price_scaling === 0) cap.price_scaling = 1;
    const currency = cap.currency.toLowerCase();
    if (!FIXED_CURRENCIES.includes(currency) && !this.opts.priceFeed.includes(currency)) {
      return { status: 0, body: '', type: '', panic: true };
    }
    this.capabilities.set(cap.name, cap);
    return { status: 200, body: 'ok', type: 'application/json' };
  }

  /** POST /capability/unregister: the body is the capability's name. */
  unregister(method: string, auth: string, body: string): ByocReply {
    if (method !== 'POST') return { status: 405, body: 'Method not allowed\n', type: 'text/plain; charset=utf-8' };
    if (auth !== this.opts.secret) return { status: 400, body: 'invalid authorization\n', type: 'text/plain; charset=utf-8' };
    this.capabilities.delete(body);
    return { status: 200, body: 'ok', type: 'application/json' };
  }

  /**
   * Calls the worker the way the orchestrator does for a stream: X-Stream-Id, and the registered
   * token as a bearer; a 401 drops the capability.
   */
  async call(name: string, route: 'start' | 'stop' | 'params', streamId: string, body: Record<string, unknown>): Promise<WorkerCall> {
    const cap = this.capabilities.get(name);
    if (!cap) throw new Error(`no capability ${name}`);
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-Stream-Id': streamId };
    if (cap.token) headers.Authorization = `Bearer ${cap.token}`;
    const res = await fetch(`${cap.url.replace(/\/+$/, '')}/stream/${route}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const text = await res.text();
    if (res.status === 401) {
      this.capabilities.delete(name);
      this.dropped.push(name);
    }
    return { status: res.status, text };
  }
}
