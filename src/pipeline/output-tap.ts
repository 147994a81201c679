// Wraps the output Publisher so the pipeline sees what reaches it: first write, segments, video PTS (latency).
import type { Publisher } from '../trickle/publisher.js';
import type { SegmentWriter } from '../trickle/types.js';
import { TsPtsSniffer } from '../media/ts/pts-sniffer.js';

export interface OutputTapHooks {
  onFirstWrite(): void;
  onSegment(seq: number): void;
  /** A video PES with this pts has been accepted by the publisher. */
  onPts(pts: number): void;
  /** A video PES with this pts came out of the encoder (it is about to be written). */
  onEncoded?(pts: number): void;
  /** Bytes accepted by the publisher. */
  onBytes?(n: number): void;
}

/** A Publisher look-alike that forwards everything and reports progress through `hooks`. */
export function instrumentPublisher(publisher: Publisher, hooks: OutputTapHooks): Publisher {
  const sniffer = new TsPtsSniffer();
  let wrote = false;
  const wrap = (w: SegmentWriter): SegmentWriter => {
    hooks.onSegment(w.seq);
    return {
      get seq() {
        return w.seq;
      },
      async write(chunk: Uint8Array) {
        const pts = sniffer.push(chunk);
        if (hooks.onEncoded) for (const p of pts) hooks.onEncoded(p);
        await w.write(chunk);
        hooks.onBytes?.(chunk.length);
        if (!wrote) {
          wrote = true;
          hooks.onFirstWrite();
        }
        for (const p of pts) hooks.onPts(p);
      },
      end: () => w.end(),
      abort: () => w.abort(),
    };
  };
  return new Proxy(publisher, {
    get(target, prop, receiver) {
      if (prop === 'next') return async () => wrap(await target.next());
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
