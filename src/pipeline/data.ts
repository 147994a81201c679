// The data channel: ctx.sendData() items batched into one JSONL segment every 333 ms, `[]` after ~25 s of silence.
import type { Logger } from '../logger.js';
import { Publisher } from '../trickle/publisher.js';
import { settleWithin } from '../trickle/transport.js';

export interface DataChannelOptions {
  url: string;
  log: Logger;
  /** Batch interval (default 333 ms). */
  intervalMs?: number;
  /** Send an empty batch after this much silence (default 25 s). */
  keepAliveMs?: number;
  /** Queue bound; the oldest items go first (default 1000). */
  maxQueue?: number;
}

/** Owns the data publisher and its flush timer. */
export class DataChannel {
  private readonly publisher: Publisher;
  private readonly queue: unknown[] = [];
  private readonly timer: NodeJS.Timeout;
  private lastSend = Date.now();
  private sending = false;
  private closed = false;
  dropped = 0;
  batches = 0;

  constructor(private readonly options: DataChannelOptions) {
    this.publisher = new Publisher({ url: options.url, contentType: 'application/jsonl', deleteOnClose: true, log: options.log });
    this.timer = setInterval(() => void this.flush(), options.intervalMs ?? 333);
    this.timer.unref();
  }

  /** Queues one item (any JSON value). */
  push(item: unknown): void {
    if (this.closed) return;
    this.queue.push(item);
    if (this.queue.length > (this.options.maxQueue ?? 1000)) {
      this.queue.shift();
      this.dropped++;
    }
  }

  /** Posts the queued items as one segment (or a keep-alive `[]`). */
  async flush(force = false): Promise<void> {
    if (this.sending) return;
    const silentFor = Date.now() - this.lastSend;
    if (this.queue.length === 0 && !force && silentFor + (this.options.intervalMs ?? 333) <= (this.options.keepAliveMs ?? 25_000)) return;
    if (this.queue.length === 0 && force) return;
    const items = this.queue.splice(0, this.queue.length);
    this.sending = true;
    this.lastSend = Date.now();
    try {
      await this.publisher.publish(Buffer.from(JSON.stringify(items) + '\n'));
      this.batches++;
    } catch (err) {
      this.options.log.warn('data channel: publish failed', { items: items.length, error: (err as Error).message });
    } finally {
      this.sending = false;
    }
  }

  /** Sends what is left, then ends the channel (DELETE); all within `timeoutMs` (and a quarter second). Idempotent. */
  async close(timeoutMs = 3000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    const deadline = Date.now() + timeoutMs;
    let waiting = true;
    const done = (async () => {
      while (this.sending && waiting) await new Promise((r) => setTimeout(r, 10));
      if (waiting) await this.flush(true);
    })();
    await settleWithin(done, timeoutMs / 2);
    waiting = false;
    await this.publisher.close({ waitMs: Math.max(0, deadline - Date.now()) }).catch(() => undefined);
  }
}
