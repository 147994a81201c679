// The control channel: each segment is one JSON object of params; keep-alives are ignored, bad JSON skipped.
import { isAbortError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Params } from '../processor/types.js';
import { Subscriber } from '../trickle/subscriber.js';
import { sleep, waitForChannel } from './wait-channel.js';

export interface ControlChannelOptions {
  url: string;
  log: Logger;
  signal: AbortSignal;
  /** Applies one params update (pipeline.update). */
  onParams(params: Params): Promise<void>;
  /** Delay before re-subscribing after the channel ended or failed (default 1 s). */
  retryMs?: number;
}

const MAX_MESSAGE = 1 << 20;

async function readAll(body: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > MAX_MESSAGE) throw new Error(`control message over ${MAX_MESSAGE} bytes`);
    parts.push(Buffer.from(chunk));
  }
  return Buffer.concat(parts).toString('utf8');
}

/** True for exactly `{"keep":"alive"}` (the gateway's 10 s keep-alive). */
export function isKeepAlive(msg: unknown): boolean {
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return false;
  const keys = Object.keys(msg);
  return keys.length === 1 && (msg as Record<string, unknown>).keep === 'alive';
}

/** Reads the control channel until `signal` aborts; never gives up while the stream runs. */
export async function runControlChannel(options: ControlChannelOptions): Promise<void> {
  const { log, signal } = options;
  let start = -2;
  while (!signal.aborted) {
    let sub: Subscriber | undefined;
    try {
      if (!(await waitForChannel(options.url, { signal }))) return;
      sub = new Subscriber({ url: options.url, start, signal, log });
      for (;;) {
        const seg = await sub.next();
        if (!seg) break;
        start = seg.seq + 1;
        let text: string;
        try {
          text = await readAll(seg.body);
        } catch (err) {
          if (signal.aborted) return;
          log.warn('control channel: could not read a message', { seq: seg.seq, error: (err as Error).message });
          continue;
        }
        let msg: unknown;
        try {
          msg = JSON.parse(text);
        } catch {
          log.warn('control channel: skipping a message that is not JSON', { seq: seg.seq, bytes: text.length });
          continue;
        }
        if (isKeepAlive(msg)) continue;
        if (!msg || typeof msg !== 'object' || Array.isArray(msg)) {
          log.warn('control channel: skipping a message that is not a JSON object', { seq: seg.seq });
          continue;
        }
        await options.onParams(msg as Params);
      }
    } catch (err) {
      if (signal.aborted || isAbortError(err)) return;
      log.warn('control channel: subscription failed; retrying', { error: (err as Error).message });
    } finally {
      await sub?.close().catch(() => undefined);
    }
    // Ended (e.g. the gateway re-created it): pick up whatever comes next.
    start = -2;
    await sleep(options.retryMs ?? 1000, signal);
  }
}
