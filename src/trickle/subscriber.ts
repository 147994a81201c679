// Trickle subscriber: reads a channel segment by segment, one preconnected GET ahead, recovering from gaps and relay restarts.
import type { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { FieldError, TrickleError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { firstChunk, streamSegmentBody } from './segment-body.js';
import {
  abortError,
  anySignal,
  backoffMs,
  channelBase,
  headerInt,
  headerValue,
  isClosedResponse,
  isTransientNetworkError,
  settleWithin,
  sleep,
  type HeaderBag,
} from './transport.js';
import { HEADER, START_CURRENT, type SubscribedSegment, type SubscriberOptions } from './types.js';

interface Answer {
  seq: number;
  status: number;
  headers: HeaderBag;
  body: Readable;
}

interface Preconnect {
  seq: number;
  cancel: AbortController;
  answer: Promise<Answer>;
}

/** Polling for a channel that is not there (yet): well under the promised 250 ms, so a channel created a moment later is read from its segment 0. */
const POLL_MS = 100;
const REFRESH = Symbol('preconnect-refresh');

/**
 * Reads a trickle channel as go-livepeer's subscriber does: starts at -2 by default, follows
 * Lp-Trickle-Seq, keeps one GET open for the next segment, jumps over 470s (counted in
 * `gaps`), ends at Lp-Trickle-Closed, retries transient failures inside `retryWindowMs`.
 * A 404 after a connection failure is read as "the relay restarted and the channel is not
 * back yet" and polled for inside the same window (then TRICKLE_STREAM_NOT_FOUND); a 404 for
 * a channel that was read before, with no failure, means it was deleted: end of stream. A
 * channel that never existed is TRICKLE_STREAM_NOT_FOUND unless `waitForChannel`.
 */
export class Subscriber {
  private readonly base: string;
  private readonly log: Logger;
  private readonly agent: Agent;
  private readonly closer = new AbortController();
  private readonly signal: AbortSignal;
  private readonly refreshMs: number;
  private readonly retryWindowMs: number;
  private nextSeq: number;
  private pending?: Preconnect;
  private current?: Readable;
  private gapCount = 0;
  private ended = false;
  private sawChannel = false;
  private lastNetworkFailure = -Infinity;
  private closing?: Promise<void>;

  constructor(private readonly opts: SubscriberOptions) {
    this.base = channelBase(opts.url);
    this.log = opts.log ?? silentLogger;
    this.nextSeq = opts.start ?? START_CURRENT;
    if (!Number.isInteger(this.nextSeq) || this.nextSeq < -2) {
      throw new TrickleError('TRICKLE_USAGE', `start must be -2, -1 or a seq >= 0, got ${opts.start}`);
    }
    this.refreshMs = opts.preconnectRefreshMs ?? 20_000;
    this.retryWindowMs = opts.retryWindowMs ?? 30_000;
    this.signal = anySignal(this.closer.signal, opts.signal);
    this.agent = new Agent({
      connect: { timeout: opts.connectTimeoutMs ?? 10_000, rejectUnauthorized: !opts.insecure },
      // A preconnected GET gets no headers until the segment starts; the refresh timer bounds it.
      headersTimeout: 0,
      bodyTimeout: opts.bodyTimeoutMs ?? 30_000,
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 30_000,
    });
  }

  /** The seq the next request will ask for (-2/-1 until the first segment arrives). */
  get seq(): number {
    return this.nextSeq;
  }

  /** Segments skipped because the subscriber fell behind the relay's ring (470 jumps). */
  get gaps(): number {
    return this.gapCount;
  }

  /** Why: the one call that advances the stream; resolves with the next non-empty segment, or null at end of stream. */
  async next(): Promise<SubscribedSegment | null> {
    let failures = 0;
    let failingSince: number | undefined;
    let notFoundSince: number | undefined;
    let warnedMissing = false;
    let missingAfterFailure: boolean | undefined;
    for (;;) {
      if (this.ended || this.closer.signal.aborted) return null;
      if (this.opts.signal?.aborted) throw abortError(this.opts.signal);
      const seq = this.nextSeq;
      let answer: Answer;
      try {
        answer = await this.answerFor(seq);
      } catch (err) {
        if (this.closer.signal.aborted) return null;
        if (this.opts.signal?.aborted) throw abortError(this.opts.signal);
        if (!isTransientNetworkError(err)) {
          throw new TrickleError('TRICKLE_CONNECT', `subscribe to ${this.base}/${seq} failed: ${(err as Error).message}`, { cause: err });
        }
        this.lastNetworkFailure = Date.now();
        failingSince ??= Date.now();
        if (Date.now() - failingSince > this.retryWindowMs) {
          throw new TrickleError('TRICKLE_CONNECT', `relay unreachable at ${this.base} for ${Math.round(this.retryWindowMs / 1000)} s`, {
            cause: err,
            hint: 'is `trickle relay` running at that address?',
          });
        }
        if (failures % 8 === 0) this.log.warn('relay unreachable, retrying', { url: this.base, seq, error: (err as Error).message });
        await this.pause(backoffMs(failures++));
        continue;
      }
      const { status, headers, body } = answer;
      if (isClosedResponse(headers)) {
        body.destroy();
        this.ended = true;
        return null;
      }
      if (status === 404) {
        body.destroy();
        notFoundSince ??= Date.now();
        if (this.opts.waitForChannel && !this.sawChannel) {
          // A channel created after we started waiting is read from its first segment.
          if (this.nextSeq < 0) this.nextSeq = 0;
          if (!warnedMissing) this.log.info('waiting for the channel to be created', { url: this.base });
          warnedMissing = true;
          await this.pause(POLL_MS);
          continue;
        }
        // Decided at the first 404: polling for a lost channel must not turn into "deleted" when the window runs out.
        missingAfterFailure ??= Date.now() - this.lastNetworkFailure < this.retryWindowMs;
        if (this.sawChannel && !missingAfterFailure) {
          // Deleted while we were still reading older segments (we missed its Lp-Trickle-Closed): that is the end.
          this.log.debug('channel removed, end of stream', { url: this.base });
          this.ended = true;
          return null;
        }
        if (this.sawChannel && Date.now() - notFoundSince < this.retryWindowMs) {
          if (!warnedMissing) this.log.warn('channel not back on the relay yet, waiting', { url: this.base });
          warnedMissing = true;
          await this.pause(POLL_MS);
          continue;
        }
        const message = this.sawChannel ? `channel ${this.base} did not come back after the relay restarted` : `channel ${this.base} not found`;
        throw new FieldError('TRICKLE_STREAM_NOT_FOUND', ['waitForChannel'], () => message, {
          hint: this.sawChannel ? undefined : ([f]) => `check the URL, or wait for a publisher (${f})`,
          details: { status },
        });
      }
      if (status === 470) {
        body.destroy();
        this.sawChannel = true;
        const latest = headerInt(headers, HEADER.latest) ?? -1;
        const recentFailure = Date.now() - this.lastNetworkFailure < this.retryWindowMs;
        if (seq >= 0 && latest >= 0 && latest <= seq && recentFailure) {
          // The relay restarted and its channel is behind us: wait for the publisher to catch up.
          await this.pause(POLL_MS);
          continue;
        }
        // Normally wait for the next segment (Latest); right after a relay restart, rejoin the one in progress instead.
        const target = recentFailure && seq >= 0 && latest - 1 > seq ? latest - 1 : latest;
        if (seq >= 0 && target > seq) this.gapCount += target - seq;
        this.log.warn('fell behind the relay, skipping ahead', { from: seq, to: target });
        this.nextSeq = target;
        continue;
      }
      if (status >= 500) {
        body.destroy();
        failingSince ??= Date.now();
        if (Date.now() - failingSince > this.retryWindowMs) {
          throw new TrickleError('TRICKLE_HTTP_STATUS', `relay answered ${status} for ${this.base}/${seq}`, { details: { status } });
        }
        await this.pause(backoffMs(failures++));
        continue;
      }
      if (status !== 200) {
        const text = await body.setEncoding('utf8').toArray().then((a) => a.join('').slice(0, 200), () => '');
        throw new TrickleError('TRICKLE_HTTP_STATUS', `relay answered ${status} for ${this.base}/${seq}: ${text.trim()}`, {
          details: { status },
        });
      }
      this.sawChannel = true;
      failures = 0;
      failingSince = undefined;
      const served = headerInt(headers, HEADER.seq) ?? (seq >= 0 ? seq : undefined);
      this.nextSeq = served === undefined ? -1 : served + 1;
      // Headers of this segment are here: open the next one now so its bytes flow the moment they exist.
      this.preconnect(this.nextSeq);
      let first: Buffer | null;
      try {
        first = await firstChunk(body);
      } catch (err) {
        this.log.warn('segment cut off before its first byte', { seq: served, error: (err as Error).message });
        if (isTransientNetworkError(err)) this.lastNetworkFailure = Date.now();
        continue;
      }
      if (first === null) continue; // an empty segment
      const segmentSeq = served ?? seq;
      this.current = body;
      return {
        seq: segmentSeq,
        contentType: headerValue(headers, 'content-type'),
        body: streamSegmentBody(first, body, (err) => {
          if (this.closer.signal.aborted) return;
          if (isTransientNetworkError(err)) this.lastNetworkFailure = Date.now();
          this.log.warn('segment cut short', { seq: segmentSeq, error: err.message });
        }),
      };
    }
  }

  /** Why: `for await (const seg of sub.segments())`; leaving the loop early closes the subscriber. */
  async *segments(): AsyncIterable<SubscribedSegment> {
    try {
      for (;;) {
        const seg = await this.next();
        if (!seg) return;
        yield seg;
      }
    } finally {
      await this.close();
    }
  }

  /** Why: releases everything (pending preconnect, segment in flight, sockets); idempotent and bounded. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.ended = true;
      this.closer.abort();
      this.pending?.cancel.abort();
      this.pending = undefined;
      this.current?.destroy();
      await settleWithin(this.agent.destroy(), 2000);
    })();
    return this.closing;
  }

  private pause(ms: number): Promise<void> {
    return sleep(ms, this.signal).catch((err) => {
      if (this.closer.signal.aborted) return;
      throw err;
    });
  }

  private answerFor(seq: number): Promise<Answer> {
    const pending = this.pending;
    this.pending = undefined;
    if (pending && pending.seq === seq) return pending.answer;
    pending?.cancel.abort();
    return this.open(seq, new AbortController());
  }

  private preconnect(seq: number): void {
    this.pending?.cancel.abort();
    const cancel = new AbortController();
    const answer = this.open(seq, cancel);
    answer.catch(() => {}); // observed later by next(); never an unhandled rejection
    this.pending = { seq, cancel, answer };
  }

  /** One GET for `seq`, re-issued every `refreshMs` while it has no response headers. */
  private async open(seq: number, cancel: AbortController): Promise<Answer> {
    for (;;) {
      const refresh = new AbortController();
      const timer = setTimeout(() => refresh.abort(REFRESH), this.refreshMs);
      try {
        const res = await request(`${this.base}/${seq}`, {
          method: 'GET',
          dispatcher: this.agent,
          signal: anySignal(this.signal, cancel.signal, refresh.signal),
        });
        // Bodies are destroyed on close/cancel; an error nobody listens to must not crash the process.
        res.body.on('error', () => {});
        return { seq, status: res.statusCode, headers: res.headers as HeaderBag, body: res.body };
      } catch (err) {
        if (refresh.signal.aborted && !this.signal.aborted && !cancel.signal.aborted) {
          this.log.debug('preconnect unanswered, re-issuing', { seq });
          continue;
        }
        throw err;
      } finally {
        clearTimeout(timer);
      }
    }
  }
}
