// The events channel: one PyTrickle envelope per segment, plus the periodic heartbeat and status events.
import type { Logger } from '../logger.js';
import { Publisher } from '../trickle/publisher.js';
import { settleWithin } from '../trickle/transport.js';
import type { PipelineEvent } from './types.js';

/** PyTrickle's queue_event_type for each event type; anything else is a processor's custom event. */
const TOPICS: Record<string, string> = {
  heartbeat: 'stream_heartbeat',
  status: 'ai_stream_events',
  receive_first_ingest_segment: 'ai_stream_events',
  send_first_processed_segment: 'ai_stream_events',
  params_updated: 'ai_stream_events',
  stream_started: 'ai_stream_events',
  stream_stopped: 'ai_stream_events',
  error: 'ai_stream_events',
};

/** The topic an event goes out under. */
export function topicFor(type: string): string {
  return TOPICS[type] ?? 'custom_monitoring_event';
}

/** PyTrickle's envelope: `{"event": {...}, "queue_event_type": topic}` (streamId travels with the gateway, not here). */
export function envelope(event: PipelineEvent): { event: Record<string, unknown>; queue_event_type: string } {
  const { streamId: _omit, ...rest } = event;
  return { event: rest, queue_event_type: topicFor(event.type) };
}

export interface EventsChannelOptions {
  url: string;
  log: Logger;
  signal?: AbortSignal;
}

/** Serialises events into one POST each, in order; a failed POST is logged and the stream goes on. */
export class EventsChannel {
  private readonly publisher: Publisher;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  sent = 0;
  failed = 0;

  constructor(private readonly options: EventsChannelOptions) {
    this.publisher = new Publisher({ url: options.url, contentType: 'application/json', deleteOnClose: true, log: options.log });
  }

  /** Queues one event; it is posted after every event queued before it. */
  send(event: PipelineEvent): void {
    if (this.closed) return;
    const body = Buffer.from(JSON.stringify(envelope(event)));
    this.chain = this.chain.then(async () => {
      try {
        await this.publisher.publish(body);
        this.sent++;
      } catch (err) {
        this.failed++;
        this.options.log.warn('events channel: publish failed', { type: event.type, error: (err as Error).message });
      }
    });
  }

  /** Waits for queued events, then ends the channel (DELETE); all within `timeoutMs` (and a quarter second). Idempotent. */
  async close(timeoutMs = 3000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const deadline = Date.now() + timeoutMs;
    await settleWithin(this.chain, timeoutMs / 2);
    await this.publisher.close({ waitMs: Math.max(0, deadline - Date.now()) }).catch(() => undefined);
  }
}
