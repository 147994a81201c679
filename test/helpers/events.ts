// Reads a JSON channel (events) live from segment 0: each message as it arrives, and when the channel ended.
import { waitForChannel } from '../../src/pipeline/wait-channel.js';
import { Subscriber } from '../../src/trickle/subscriber.js';

export interface Envelope {
  event: { type: string; timestamp: number; [k: string]: unknown };
  queue_event_type: string;
}

export interface EventWatch {
  /** Every envelope so far, in order. */
  events: Envelope[];
  /** Resolves once the channel ended (deleted or closed), or close() was called. */
  ended: Promise<void>;
  /** The first event of `type` (optionally matching `where`), waiting up to `timeoutMs`. */
  next(type: string, timeoutMs?: number, where?: (e: Envelope['event']) => boolean): Promise<Envelope['event']>;
  close(): Promise<void>;
}

/** Subscribes to `url` (waiting for it to exist) and collects its envelopes until it ends. */
export function watchEvents(url: string): EventWatch {
  const events: Envelope[] = [];
  const stop = new AbortController();
  let sub: Subscriber | undefined;
  const ended = (async () => {
    if (!(await waitForChannel(url, { signal: stop.signal }))) return;
    sub = new Subscriber({ url, start: 0 });
    if (stop.signal.aborted) return void (await sub.close());
    for (;;) {
      const seg = await sub.next().catch(() => null);
      if (!seg) return;
      let text = '';
      for await (const c of seg.body) text += String(c);
      try {
        events.push(JSON.parse(text) as Envelope);
      } catch {
        /* not ours */
      }
    }
  })();
  return {
    events,
    ended,
    async next(type, timeoutMs = 60_000, where = () => true) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = events.find((e) => e.event.type === type && where(e.event));
        if (hit) return hit.event;
        if (Date.now() > deadline) throw new Error(`no ${type} event within ${timeoutMs} ms; got ${events.map((e) => e.event.type).join(',')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      stop.abort();
      await sub?.close();
      await ended;
    },
  };
}

/** The status of `GET {url}/next` (404 once the channel is gone). */
export async function channelStatus(url: string): Promise<number> {
  const res = await fetch(`${url}/next`);
  await res.text();
  return res.status;
}
