// One trickle channel: the ring of 5 segments keyed by seq mod 5, nextWrite and the closed flag.
import type { RetainedBytes } from './retained.js';
import { Segment } from './segment.js';

/** go-livepeer's maxSegmentsPerStream: how many segments a channel retains. */
export const RING_SIZE = 5;

/** What a GET lookup found: the segment (when retained) plus the state snapshot taken at lookup. */
export interface ReadLookup {
  segment: Segment | undefined;
  latest: number;
  closed: boolean;
}

export class Channel {
  private readonly ring: (Segment | undefined)[] = new Array(RING_SIZE).fill(undefined);
  nextWrite = 0;
  writeTime: number;
  closed = false;

  constructor(
    readonly name: string,
    readonly mimeType: string,
    now = Date.now(),
    /** Where the bytes of the segments this channel retains are counted. */
    private readonly retainedBytes?: RetainedBytes,
  ) {
    this.writeTime = now;
  }

  /** Puts a fresh segment for `seq` in its slot; the occupant no longer counts as retained. */
  private place(seq: number): Segment {
    const slot = seq % RING_SIZE;
    this.ring[slot]?.release();
    const segment = new Segment(seq, this.retainedBytes);
    this.ring[slot] = segment;
    return segment;
  }

  /** What writing `seq` would free (its slot's occupant, evicted), or undefined when `seq` already has bytes: no new segment then. */
  freedByWriting(seq: number): number | undefined {
    const existing = this.retained(seq);
    if (existing) return existing.size > 0 ? undefined : 0;
    return this.ring[seq % RING_SIZE]?.size ?? 0;
  }

  /** The retained segment for `seq`, if the slot holds exactly that seq. */
  retained(seq: number): Segment | undefined {
    const seg = this.ring[seq % RING_SIZE];
    return seg && seg.seq === seq ? seg : undefined;
  }

  /** Resolves -1 (Next) and -2 (Current, GET only: the router refuses it on POST) to a real seq. */
  resolveSeq(seq: number): number {
    if (seq === -1) return this.nextWrite;
    if (seq === -2) return this.nextWrite > 0 ? this.nextWrite - 1 : 0;
    return seq;
  }

  /**
   * GET lookup with the precreation grace: an open channel creates an empty segment for
   * `nextWrite` (or for 1 while nothing was written) so a subscriber can wait on it.
   */
  getForRead(seq: number): ReadLookup {
    let segment = this.retained(seq);
    if (!segment && !this.closed && (seq === this.nextWrite || (this.nextWrite === 0 && seq === 1))) {
      // Like Go, the previous occupant is replaced without being closed.
      segment = this.place(seq);
    }
    return { segment, latest: this.nextWrite, closed: this.closed };
  }

  /** POST lookup: reuse the retained segment for `seq`, otherwise evict (close) the occupant and start a new one. */
  getForWrite(seq: number): Segment {
    const existing = this.retained(seq);
    if (existing) return existing;
    this.ring[seq % RING_SIZE]?.close();
    return this.place(seq);
  }

  /** Records write activity on `seq` (first byte, or a zero-byte POST). */
  markWritten(seq: number, now = Date.now()): void {
    this.nextWrite = seq + 1;
    this.writeTime = now;
  }

  /** Publisher reset: closes every retained segment with a lower seq. */
  closeBelow(seq: number): void {
    for (const seg of this.ring) if (seg && seg.seq < seq) seg.close();
  }

  /** Closes every segment and the channel itself (DELETE, sweep, shutdown); none counts as retained any more. Idempotent. */
  close(): void {
    this.closed = true;
    for (const seg of this.ring) {
      seg?.close();
      seg?.release();
    }
  }
}
