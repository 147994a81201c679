// Benchmarks read their outputs to the end as a viewer would: every segment, every byte.
import { waitForChannel } from '../../src/pipeline/wait-channel.js';
import { Subscriber } from '../../src/trickle/subscriber.js';

/** Reads channel `url` (once it exists) from its first segment until it ends, `signal` aborts or it goes away. */
export async function drainChannel(url: string, opts: { signal?: AbortSignal; onChunk?: (chunk: Uint8Array) => void } = {}): Promise<void> {
  if (!(await waitForChannel(url, { signal: opts.signal }))) return;
  const sub = new Subscriber({ url, start: 0, signal: opts.signal });
  try {
    for (;;) {
      const seg = await sub.next();
      if (!seg) break;
      for await (const c of seg.body as AsyncIterable<Uint8Array>) opts.onChunk?.(c);
    }
  } catch {
    /* the channel went away at the end, or the reader was stopped */
  } finally {
    await sub.close().catch(() => undefined);
  }
}
