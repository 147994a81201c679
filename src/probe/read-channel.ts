// Reads whole segments off a channel for the probe, timing each one, until a segment count, a duration or a timeout.
import { isAbortError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { Subscriber } from '../trickle/subscriber.js';
import type { ProbeEnd } from './types.js';

export interface ReceivedSegment {
  seq: number;
  bytes: Buffer;
  missingBefore: number;
  /** Seconds from the start of reading to the first byte. */
  receivedAt: number;
  receiveSeconds: number;
  interval: number | null;
  idleBefore: number | null;
}

export interface ReadChannelOptions {
  url: string;
  start: number;
  segments?: number;
  durationMs?: number;
  timeoutMs: number;
  signal?: AbortSignal;
  log?: Logger;
  /** Called with each whole segment, once the next one started arriving (or reading ended). */
  onSegment(seg: ReceivedSegment): void;
}

export interface ReadChannelResult {
  ended: ProbeEnd;
  /** Seq jumps the subscriber made after HTTP 470 (it fell behind the relay's window). */
  relayJumps: number;
  /** Of those, the seqs jumped over after the last segment read (no later segment shows them missing). */
  missingAfter: number;
  seconds: number;
}

/**
 * Why: the probe judges whole segments, so each is buffered (a GOP: a few MB at most) and
 * handed on while the next one is already being read. The duration, counted from the first
 * segment's first byte, ends reading between segments (the one arriving is read to its end);
 * the timeout (counted from the call), a signal or the end of the stream end it at once, and
 * a segment cut short by them is dropped.
 */
export async function readChannel(opts: ReadChannelOptions): Promise<ReadChannelResult> {
  const log = opts.log ?? silentLogger;
  const sub = new Subscriber({ url: opts.url, start: opts.start, log });
  const t0 = performance.now();
  const since = () => (performance.now() - t0) / 1000;
  let ended: ProbeEnd | undefined;
  let waiting = false;
  /** Reading was cut off (not just told to stop between segments). */
  let cut = false;
  const stop = (why: ProbeEnd) => {
    ended ??= why;
    cut = true;
    void sub.close();
  };
  const timers = [setTimeout(() => stop('timeout'), opts.timeoutMs)];
  // The duration counts from the first byte of media, not from when we started waiting for it.
  const startDuration = () => {
    if (opts.durationMs === undefined) return;
    timers.push(
      setTimeout(() => {
        if (waiting) stop('duration');
        else ended ??= 'duration'; // checked after the segment in flight
      }, opts.durationMs),
    );
  };
  const onAbort = () => stop('stopped');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let count = 0;
  let jumpsAtLast = 0;
  let last: { seq: number; firstAt: number; lastAt: number } | undefined;
  // A segment is handed on (which starts an ffmpeg) only once the next one's first byte is
  // timestamped, so that the spawn never delays the boundary being measured.
  let held: ReceivedSegment | undefined;
  const handOn = () => {
    if (held) opts.onSegment(held);
    held = undefined;
  };
  try {
    for (;;) {
      if (ended) break;
      if (opts.segments !== undefined && count >= opts.segments) {
        ended = 'segments';
        break;
      }
      waiting = true;
      const seg = await sub.next();
      waiting = false;
      if (!seg) {
        ended ??= 'end-of-stream';
        break;
      }
      const firstAt = since();
      if (count === 0) startDuration();
      handOn();
      const parts: Buffer[] = [];
      for await (const chunk of seg.body as AsyncIterable<Buffer>) parts.push(chunk);
      const lastAt = since();
      if (cut) break; // cut short by the timeout or a signal
      const missingBefore = last ? Math.max(0, seg.seq - last.seq - 1) : opts.start >= 0 ? Math.max(0, seg.seq - opts.start) : 0;
      if (count === 0) log.info('reading', { url: opts.url, seq: seg.seq });
      held = {
        seq: seg.seq,
        bytes: Buffer.concat(parts),
        missingBefore,
        receivedAt: firstAt,
        receiveSeconds: lastAt - firstAt,
        interval: last ? firstAt - last.firstAt : null,
        idleBefore: last ? Math.max(0, firstAt - last.lastAt) : null,
      };
      last = { seq: seg.seq, firstAt, lastAt };
      jumpsAtLast = sub.gaps;
      count++;
    }
    handOn();
  } catch (err) {
    if (!(cut && isAbortError(err))) throw err;
  } finally {
    for (const t of timers) clearTimeout(t);
    opts.signal?.removeEventListener('abort', onAbort);
    await sub.close();
  }
  return { ended: ended ?? 'end-of-stream', relayJumps: sub.gaps, missingAfter: sub.gaps - jumpsAtLast, seconds: since() };
}
