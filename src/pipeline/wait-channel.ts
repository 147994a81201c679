// Waits for a trickle channel to exist by polling `GET {channel}/next` (200 once it exists, 404 before)
// every 50 ms: the poll interval is start-up latency of a pipeline started before its publisher.
import { request } from 'undici';
import { TrickleError } from '../errors.js';

/**
 * Why: lets a pipeline start before its publisher; it then reads the channel from segment 0.
 * Resolves true once the channel exists, false if `signal` aborted first.
 */
export async function waitForChannel(url: string, opts: { signal?: AbortSignal; intervalMs?: number } = {}): Promise<boolean> {
  const base = url.replace(/\/+$/, '');
  while (!opts.signal?.aborted) {
    try {
      const res = await request(`${base}/next`, { method: 'GET', signal: opts.signal, headersTimeout: 5000, bodyTimeout: 5000 });
      await res.body.text().catch(() => undefined);
      if (res.statusCode === 200) return true;
      if (res.statusCode !== 404 && res.statusCode < 500) {
        throw new TrickleError('TRICKLE_HTTP_STATUS', `relay answered ${res.statusCode} for ${base}/next`, { details: { status: res.statusCode } });
      }
    } catch (err) {
      if (opts.signal?.aborted) return false;
      if (err instanceof TrickleError) throw err;
      // Relay not reachable yet: keep polling, like a subscriber waiting for its channel.
    }
    await sleep(opts.intervalMs ?? 50, opts.signal);
  }
  return false;
}

/** Sleeps `ms`, cut short by `signal` (the listener is removed either way). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
