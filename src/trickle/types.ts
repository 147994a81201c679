// Shapes of the trickle protocol clients (Subscriber, Publisher) that every command builds on.
import type { Readable } from 'node:stream';
import type { Logger } from '../logger.js';

/** Protocol header names, as go-livepeer's relay and clients send them. */
export const HEADER = {
  seq: 'lp-trickle-seq',
  latest: 'lp-trickle-latest',
  closed: 'lp-trickle-closed',
  reset: 'lp-trickle-reset',
} as const;

/** `-2` joins the segment being written now, `-1` waits for the next one. */
export const START_CURRENT = -2;
export const START_NEXT = -1;

export interface SubscriberOptions {
  /** Channel URL, e.g. http://127.0.0.1:3389/stream. */
  url: string;
  /** -2 (default), -1 or a seq. */
  start?: number;
  /** Poll (every 250 ms or less) until the channel exists instead of failing with TRICKLE_STREAM_NOT_FOUND. */
  waitForChannel?: boolean;
  signal?: AbortSignal;
  log?: Logger;
  /** Connect timeout for each request (default 10 s). */
  connectTimeoutMs?: number;
  /** An unanswered preconnect GET is re-issued after this long (default 20 s). */
  preconnectRefreshMs?: number;
  /** Body idle timeout once a segment is streaming (default 30 s). */
  bodyTimeoutMs?: number;
  /**
   * How long transient failures (refused connection, 5xx) are retried before giving up with
   * TRICKLE_CONNECT (default 30 s); recovery from a relay restart happens inside this window.
   */
  retryWindowMs?: number;
  /** Skip TLS verification. */
  insecure?: boolean;
}

/** One segment being received: its bytes stream while the publisher is still sending them. */
export interface SubscribedSegment {
  seq: number;
  contentType?: string;
  /** The segment's bytes; ends when the segment is complete. */
  body: Readable;
}

export interface PublisherOptions {
  url: string;
  /** Content-Type of every POST (default video/mp2t). */
  contentType?: string;
  /** First seq (default 0). */
  startSeq?: number;
  /** DELETE the channel on close() (default true): end of stream for readers. */
  deleteOnClose?: boolean;
  signal?: AbortSignal;
  log?: Logger;
  connectTimeoutMs?: number;
  /** How long failed writes are retried before the publisher gives up (default 30 s). */
  retryWindowMs?: number;
  insecure?: boolean;
}

/** One segment being published: bytes written here stream into the open POST. */
export interface SegmentWriter {
  readonly seq: number;
  /** Resolves when the chunk is accepted (backpressure). */
  write(chunk: Uint8Array): Promise<void>;
  /** Completes the segment; resolves when the relay acknowledged it (or it was given up). */
  end(): Promise<void>;
  /** Abandons the segment: DELETEs it on the relay if any byte was sent. */
  abort(): Promise<void>;
}
