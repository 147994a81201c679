// One segment being published: retries an unsent POST on the same seq, gives up (and DELETEs) a partly sent one.
import { isTrickleError, TrickleError } from '../errors.js';
import type { Logger } from '../logger.js';
import { EarlyAnswer, statusError, type PostAttempt } from './post-attempt.js';
import type { SegmentWriter } from './types.js';

/** What a segment needs from its publisher. */
export interface SegmentHost {
  log: Logger;
  /** A fresh POST for `seq` after a backoff; throws TRICKLE_CONNECT once the retry window is spent. */
  reopen(seq: number, attempt: number, failingSince: number, cause: unknown): Promise<PostAttempt>;
  /** Best-effort `DELETE {url}/{seq}`, so readers of an abandoned segment are released. */
  deleteSegment(seq: number): Promise<void>;
  /** Told when a segment was given up (partly sent, or closed by the relay). */
  onLost(seq: number): void;
  /** Told when the segment is finished either way (ended, given up or aborted). */
  onDone(segment: SegmentWriter): void;
}

/** Errors that end publishing altogether rather than this one segment. */
function isFatal(err: unknown): err is TrickleError {
  return isTrickleError(err, 'TRICKLE_STREAM_ENDED', 'TRICKLE_STREAM_NOT_FOUND', 'TRICKLE_SEGMENT_TOO_LARGE', 'TRICKLE_ABORTED', 'TRICKLE_CONNECT');
}

/** Implements SegmentWriter over a chain of PostAttempts for one seq. */
export class PublishedSegment implements SegmentWriter {
  private lost = false;
  private ending?: Promise<void>;
  private retries = 0;
  private failingSince?: number;
  /** Bytes the caller gave this segment (including any dropped after it was given up). */
  bytes = 0;

  constructor(
    private readonly host: SegmentHost,
    readonly seq: number,
    private attempt: PostAttempt,
  ) {}

  /** True when the segment was abandoned and later writes are dropped. */
  get abandoned(): boolean {
    return this.lost;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.bytes += chunk.byteLength;
    if (this.lost || chunk.byteLength === 0) return;
    let taken = false;
    for (;;) {
      try {
        if (!taken) {
          if (!this.attempt.offer(chunk)) throw this.attempt.failure();
          taken = true; // from here on a retry replays it from the attempt's unsent chunks
        }
        await this.attempt.drained();
        return;
      } catch (err) {
        if (await this.recover(err)) continue;
        return;
      }
    }
  }

  end(): Promise<void> {
    this.ending ??= (async () => {
      for (;;) {
        if (this.lost) return;
        this.attempt.end();
        try {
          const result = await this.attempt.done;
          const err = statusError(result, this.attempt.url);
          if (err) throw err;
          // The relay's zero-byte answer (segment closed before our bytes got there) is the only 200 with Connection: close.
          const zeroByteAnswer = this.attempt.bytes > 0 && /close/i.test(String(result.headers.connection ?? ''));
          if (this.attempt.answeredEarly || zeroByteAnswer) throw new EarlyAnswer(result);
          return;
        } catch (err) {
          if (await this.recover(err)) continue;
          return;
        }
      }
    })().finally(() => this.host.onDone(this));
    return this.ending;
  }

  async abort(): Promise<void> {
    if (this.lost) return;
    this.lost = true;
    this.ending ??= Promise.resolve();
    const sent = this.attempt.bytes > 0;
    this.attempt.destroy();
    try {
      if (sent) await this.host.deleteSegment(this.seq);
    } finally {
      this.host.onDone(this);
    }
  }

  /** Decides what a failure means: true = retry on a fresh POST, false = segment given up; throws when fatal. */
  private async recover(err: unknown): Promise<boolean> {
    const fail = err;
    if (isFatal(fail)) {
      this.lost = true;
      this.attempt.destroy();
      throw fail;
    }
    if (fail instanceof EarlyAnswer) {
      // The relay closed the segment while the POST waited (DELETE, reset, ring eviction): writing this seq again would hit the same closed segment.
      this.giveUp('the relay closed the segment before it was written');
      return false;
    }
    if (this.attempt.bytes === 0) {
      // Nothing reached the relay: the same seq again on a fresh connection, with whatever was written so far.
      this.failingSince ??= Date.now();
      const replay = this.attempt.unsent.splice(0);
      this.attempt.destroy();
      this.attempt = await this.host.reopen(this.seq, this.retries++, this.failingSince, fail);
      for (const c of replay) this.attempt.offer(c);
      return true;
    }
    this.giveUp((fail as Error).message);
    this.attempt.destroy();
    await this.host.deleteSegment(this.seq);
    return false;
  }

  private giveUp(reason: string): void {
    this.lost = true;
    this.host.log.warn('segment abandoned', { seq: this.seq, reason });
    this.host.onLost(this.seq);
  }
}
