// The control channel: each segment is one JSON object of params; keep-alives are ignored, bad JSON skipped.
import { isAbortError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Params } from '../processor/types.js';
import { isKeepAlive, jsonMessages } from '../trickle/json-messages.js';
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

/** Reads the control channel until `signal` aborts; never gives up while the stream runs. */
export async function runControlChannel(options: ControlChannelOptions): Promise<void> {
  const { log, signal } = options;
  let start = -2;
  while (!signal.aborted) {
    let sub: Subscriber | undefined;
    try {
      if (!(await waitForChannel(options.url, { signal }))) return;
      sub = new Subscriber({ url: options.url, start, signal, log });
      for await (const { seq, message } of jsonMessages(sub, log, 'control channel')) {
        start = seq + 1;
        if (isKeepAlive(message)) continue;
        // A refused update (too deep, a wrong type) costs that message only.
        await options.onParams(message as Params).catch((err: unknown) => log.warn('control channel: update refused', { seq, error: (err as Error)?.message ?? String(err) }));
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
