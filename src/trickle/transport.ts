// Transport helpers shared by the trickle clients: channel URLs, header parsing, failure classes, backoff.
import { TrickleError } from '../errors.js';
import { HEADER } from './types.js';

export type HeaderBag = Record<string, string | string[] | undefined>;

/** Validates a channel URL once, so every request can append `/{seq}` without surprises. */
export function channelBase(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch (cause) {
    throw new TrickleError('TRICKLE_INVALID_URL', `not a valid channel URL: ${url}`, { cause });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new TrickleError('TRICKLE_INVALID_URL', `channel URL must be http or https: ${url}`);
  }
  return url.replace(/\/+$/, '');
}

/** One header's value as a string (first one when repeated). */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A decimal protocol header as an integer; undefined when missing or malformed (go-livepeer's clients ignore such a header too). */
export function headerInt(headers: HeaderBag, name: string): number | undefined {
  const v = headerValue(headers, name);
  if (v === undefined || !/^-?\d+$/.test(v.trim())) return undefined;
  return Number(v.trim());
}

/** `Lp-Trickle-Closed` on any response means end of stream, whatever the status. */
export function isClosedResponse(headers: HeaderBag): boolean {
  return headerValue(headers, HEADER.closed) !== undefined;
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);

/** Network failures worth retrying: the relay may be restarting or briefly unreachable. */
export function isTransientNetworkError(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: string }).code;
    if (code && TRANSIENT_CODES.has(code)) return true;
    if ((e as Error).message === 'socket hang up') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Short exponential backoff for retries: 250 ms doubling up to 1 s. */
export function backoffMs(attempt: number): number {
  return Math.min(1000, 250 * 2 ** Math.max(0, attempt));
}

/** Resolves after `ms`, or rejects with TRICKLE_ABORTED when `signal` fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The error every client throws when its AbortSignal fires. */
export function abortError(signal: AbortSignal): TrickleError {
  return new TrickleError('TRICKLE_ABORTED', 'aborted', { cause: signal.reason });
}

/** An AbortSignal that fires when any of `signals` fires (undefined entries are ignored). */
export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  const list = signals.filter((s): s is AbortSignal => s !== undefined);
  return list.length === 1 ? list[0]! : AbortSignal.any(list);
}

/** Waits for `promise` at most `ms` (never rejects; the timer is cleared either way). */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
