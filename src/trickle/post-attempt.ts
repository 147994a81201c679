// One streamed POST of one segment: headers go out at once (a preconnect the relay can see), the body streams as written.
import http from 'node:http';
import https from 'node:https';
import { TrickleError } from '../errors.js';
import { headerValue, isClosedResponse, type HeaderBag } from './transport.js';

export interface PostResult {
  status: number;
  headers: HeaderBag;
  body: string;
}

export interface PostAttemptOptions {
  agent: http.Agent;
  contentType: string;
  signal: AbortSignal;
  connectTimeoutMs: number;
  /** How long the relay may take to answer once the body is complete. */
  responseTimeoutMs: number;
}

function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ETIMEDOUT' });
}

/**
 * A POST to `{base}/{seq}` using node:http rather than undici: undici sends a streamed
 * request's headers only with its first body byte, which would hide the preconnect from
 * the relay (no autocreate, no segment slot, no early 404/closed answer).
 */
export class PostAttempt {
  /** Bytes written on a connected socket: 0 means a failure can be retried on the same seq. */
  bytes = 0;
  /** Chunks written before the connection was up; a fresh attempt replays them (they never reached the relay). */
  readonly unsent: Uint8Array[] = [];
  private connected = false;
  private wantsDrain = false;
  /** The relay answered before the body was complete: it closed the segment, nothing written after that arrived. */
  answeredEarly = false;
  /** Set once the relay answered (possibly early) or the request failed. */
  settled?: { result: PostResult } | { error: Error };
  readonly done: Promise<PostResult>;
  /** Resolves once the socket is up and the headers went out on it (or the request is over). */
  readonly connection: Promise<void>;
  private connectionUp!: () => void;
  private readonly req: http.ClientRequest;
  private responseTimer?: NodeJS.Timeout;
  private readonly responseTimeoutMs: number;

  constructor(
    readonly url: string,
    readonly seq: number,
    opts: PostAttemptOptions,
  ) {
    this.responseTimeoutMs = opts.responseTimeoutMs;
    this.connection = new Promise((resolve) => (this.connectionUp = resolve));
    const mod = url.startsWith('https:') ? https : http;
    this.req = mod.request(url, {
      method: 'POST',
      agent: opts.agent,
      signal: opts.signal,
      headers: { 'content-type': opts.contentType, 'transfer-encoding': 'chunked' },
    });
    const connectTimer = setTimeout(() => this.req.destroy(timeoutError('connect timeout')), opts.connectTimeoutMs);
    const onConnect = () => {
      clearTimeout(connectTimer);
      this.connected = true;
      for (const c of this.unsent.splice(0)) this.bytes += c.byteLength;
      this.connectionUp();
    };
    this.req.on('socket', (socket) => {
      socket.setNoDelay(true);
      if ((socket as { connecting?: boolean }).connecting) socket.once('connect', onConnect);
      else onConnect();
    });
    this.done = new Promise<PostResult>((resolve, reject) => {
      let answered = false;
      this.req.on('response', (res) => {
        answered = true;
        if (!this.req.writableEnded) this.answeredEarly = true;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (s: string) => {
          if (text.length < 4096) text += s;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers as HeaderBag, body: text }));
        res.on('error', reject);
        res.on('aborted', () => reject(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
      });
      this.req.on('error', reject);
      this.req.on('close', () => answered || reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
    });
    this.done.then(
      (result) => (this.settled = { result }),
      (error: Error) => (this.settled = { error }),
    );
    this.done
      .finally(() => {
        this.connectionUp();
        clearTimeout(connectTimer);
        clearTimeout(this.responseTimer);
      })
      .catch(() => {});
    this.req.flushHeaders();
  }

  /** Hands one chunk to the request; false (nothing taken) when the POST is already over. */
  offer(chunk: Uint8Array): boolean {
    if (this.settled) return false;
    this.wantsDrain = !this.req.write(chunk);
    if (this.connected) this.bytes += chunk.byteLength;
    else this.unsent.push(chunk);
    return true;
  }

  /** Resolves when the request can take more; rejects when the POST is over. */
  drained(): Promise<void> {
    if (this.settled) return Promise.reject(this.failure());
    if (!this.wantsDrain) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onDrain = () => {
        this.wantsDrain = false;
        resolve();
      };
      this.req.once('drain', onDrain);
      const fail = () => {
        this.req.off('drain', onDrain);
        reject(this.failure());
      };
      this.done.then(fail, fail);
    });
  }

  /** Completes the body; `done` then resolves with the relay's answer (bounded by the response timeout). */
  end(): void {
    if (this.settled || this.req.writableEnded) return;
    this.req.end();
    this.responseTimer = setTimeout(() => this.req.destroy(timeoutError('no answer from the relay')), this.responseTimeoutMs);
  }

  /** Drops the request and its socket. */
  destroy(): void {
    if (!this.req.destroyed) this.req.destroy();
  }

  /** Why the POST can take no more data: the relay's early answer, or the network error. */
  failure(): Error {
    const s = this.settled;
    if (!s) return new Error('POST still open');
    if ('error' in s) return s.error;
    return statusError(s.result, this.url) ?? new EarlyAnswer(s.result);
  }
}

/** The relay answered 2xx before the body was complete: the segment was closed on its side. */
export class EarlyAnswer extends Error {
  constructor(readonly result: PostResult) {
    super('the relay closed this segment before it was written');
  }
}

/** Maps a POST answer to the publisher's typed errors; undefined for success. */
export function statusError(r: PostResult, url: string): TrickleError | undefined {
  if (isClosedResponse(r.headers)) {
    return new TrickleError('TRICKLE_STREAM_ENDED', `channel closed: ${url.replace(/\/-?\d+$/, '')}`);
  }
  if (r.status >= 200 && r.status < 300) return undefined;
  const details = { status: r.status, url };
  if (r.status === 404) {
    return new TrickleError('TRICKLE_STREAM_NOT_FOUND', `channel not found: ${url.replace(/\/-?\d+$/, '')}`, {
      details,
      hint: 'the relay does not autocreate channels: create it first (POST {channel}), or let the relay autocreate them',
    });
  }
  if (r.status === 413) return new TrickleError('TRICKLE_SEGMENT_TOO_LARGE', `segment too large for the relay (${url})`, { details });
  const ct = headerValue(r.headers, 'content-type') ?? '';
  const text = ct.startsWith('text/') ? `: ${r.body.trim().slice(0, 200)}` : '';
  return new TrickleError('TRICKLE_HTTP_STATUS', `relay answered ${r.status} to POST ${url}${text}`, { details });
}
