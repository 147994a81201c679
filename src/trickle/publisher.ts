// Trickle publisher: one streamed POST per segment, always one preconnected POST ahead, DELETE of the channel on close.
import http from 'node:http';
import https from 'node:https';
import { TrickleError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { PostAttempt } from './post-attempt.js';
import { PublishedSegment, type SegmentHost } from './segment-writer.js';
import { abortError, anySignal, backoffMs, channelBase, settleWithin, sleep } from './transport.js';
import type { PublisherOptions, SegmentWriter } from './types.js';

const DELETE_TIMEOUT_MS = 5_000;

/**
 * Publishes segments 0, 1, 2 … into a channel, one preconnected POST ahead. The POST for the
 * next seq is opened as soon as the current one is taken, so the relay already holds the
 * slot (and autocreates the channel) before the first byte exists.
 */
export class Publisher {
  private readonly base: string;
  private readonly log: Logger;
  private readonly agent: http.Agent;
  private readonly closer = new AbortController();
  private readonly signal: AbortSignal;
  private readonly retryWindowMs: number;
  private readonly connectTimeoutMs: number;
  private nextSeq: number;
  private pending?: PostAttempt;
  private readonly inFlight = new Set<PublishedSegment>();
  private closing?: Promise<void>;
  private lostCount = 0;
  private readonly host: SegmentHost;

  constructor(private readonly opts: PublisherOptions) {
    this.base = channelBase(opts.url);
    this.log = opts.log ?? silentLogger;
    this.nextSeq = opts.startSeq ?? 0;
    if (!Number.isInteger(this.nextSeq) || this.nextSeq < 0) {
      throw new TrickleError('TRICKLE_USAGE', `startSeq must be a seq >= 0, got ${opts.startSeq}`);
    }
    this.retryWindowMs = opts.retryWindowMs ?? 30_000;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    this.signal = anySignal(this.closer.signal, opts.signal);
    const agentOpts = { keepAlive: true, keepAliveMsecs: 1_000, maxFreeSockets: 4, timeout: 120_000 };
    this.agent = this.base.startsWith('https:')
      ? new https.Agent({ ...agentOpts, rejectUnauthorized: !opts.insecure })
      : new http.Agent(agentOpts);
    this.host = this.makeHost();
    this.pending = this.open(this.nextSeq);
  }

  /** The seq the next call to next() will publish. */
  get seq(): number {
    return this.nextSeq;
  }

  /** Segments given up after a failure mid-write (each was DELETEd on the relay). */
  get lost(): number {
    return this.lostCount;
  }

  /** Why: starts the next segment on the already-open POST and preconnects the one after it. */
  async next(): Promise<SegmentWriter> {
    if (this.closing) throw new TrickleError('TRICKLE_STREAM_ENDED', 'publisher is closed');
    if (this.opts.signal?.aborted) throw abortError(this.opts.signal);
    const seq = this.nextSeq++;
    const attempt = this.pending && this.pending.seq === seq ? this.pending : this.open(seq);
    this.pending = this.open(seq + 1);
    const segment = new PublishedSegment(this.host, seq, attempt);
    this.inFlight.add(segment);
    return segment;
  }

  /** Why: one whole segment in one call, e.g. one event or one control message. */
  async publish(data: Uint8Array | string): Promise<void> {
    const writer = await this.next();
    try {
      await writer.write(typeof data === 'string' ? Buffer.from(data) : data);
      await writer.end();
    } catch (err) {
      await writer.abort().catch(() => {});
      throw err;
    }
  }

  /**
   * Why: ends publishing: waits for segments in flight, cancels the preconnect, DELETEs the channel
   * unless told not to. Bounded: all of it within `waitMs` (default 17 s: 10 for segments in
   * flight, 2 for the preconnect, 5 for the DELETE), and a quarter of a second more at most.
   */
  close(opts: { waitMs?: number } = {}): Promise<void> {
    this.closing ??= (async () => {
      const deadline = Date.now() + (opts.waitMs ?? 17_000);
      const left = (most: number) => Math.max(0, Math.min(most, deadline - Date.now()));
      const inFlight = [...this.inFlight].map((s) => s.end().catch(() => {}));
      await settleWithin(Promise.all(inFlight), left(10_000));
      if (this.opts.deleteOnClose !== false) {
        // The preconnect creates the channel: a DELETE overtaking it would find nothing, and the
        // POST arriving after it would leave a channel nobody ends. So its headers go out first.
        if (this.pending) await settleWithin(this.pending.connection, left(2_000));
        // Deleting first releases our own preconnected POST on the relay cleanly (zero-byte, closed).
        await this.request('DELETE', this.base, Math.max(250, left(DELETE_TIMEOUT_MS))).catch((err: Error) =>
          this.log.warn('could not close the channel', { url: this.base, error: err.message }),
        );
      }
      this.pending?.destroy();
      this.pending = undefined;
      this.closer.abort();
      this.agent.destroy();
    })();
    return this.closing;
  }

  private open(seq: number): PostAttempt {
    return new PostAttempt(`${this.base}/${seq}`, seq, {
      agent: this.agent,
      contentType: this.opts.contentType ?? 'video/mp2t',
      signal: this.signal,
      connectTimeoutMs: this.connectTimeoutMs,
      responseTimeoutMs: 30_000,
    });
  }

  private makeHost(): SegmentHost {
    return {
      log: this.log,
      reopen: async (seq, attempt, failingSince, cause) => {
        if (this.signal.aborted) throw abortError(this.signal);
        if (Date.now() - failingSince > this.retryWindowMs) {
          throw new TrickleError('TRICKLE_CONNECT', `could not publish to ${this.base} for ${Math.round(this.retryWindowMs / 1000)} s: ${(cause as Error).message}`, {
            cause,
            hint: 'is `trickle relay` running at that address?',
          });
        }
        if (attempt === 0 || attempt % 8 === 0) this.log.warn('publish failed, retrying the segment', { seq, error: (cause as Error).message });
        await sleep(backoffMs(attempt), this.signal);
        return this.open(seq);
      },
      deleteSegment: async (seq) => {
        await this.request('DELETE', `${this.base}/${seq}`).catch((err: Error) => this.log.debug('segment DELETE failed', { seq, error: err.message }));
      },
      onLost: () => {
        this.lostCount++;
      },
      onDone: (segment) => {
        this.inFlight.delete(segment as PublishedSegment);
      },
    };
  }

  /** A short bodiless request on a fresh connection; resolves with the status, rejects on network errors or non-2xx. */
  private request(method: string, url: string, timeoutMs = DELETE_TIMEOUT_MS): Promise<number> {
    const mod = url.startsWith('https:') ? https : http;
    return new Promise<number>((resolve, reject) => {
      const req = mod.request(url, {
        method,
        agent: false,
        timeout: timeoutMs,
        rejectUnauthorized: !this.opts.insecure,
        headers: { connection: 'close' },
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`${method} ${url} timed out`), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(status);
          else reject(new TrickleError('TRICKLE_HTTP_STATUS', `${method} ${url} answered ${status}`, { details: { status } }));
        });
      });
      req.end();
    });
  }
}
