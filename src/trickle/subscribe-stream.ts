// What `trickle subscribe` does: a channel's segments, concatenated (or one text line each), into a writable stream.
import { isAbortError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { Subscriber } from './subscriber.js';

export interface SubscribeStreamOptions {
  url: string;
  output: NodeJS.WritableStream;
  start?: number;
  /** Stop after this many segments. */
  count?: number;
  waitForChannel?: boolean;
  /** One line per segment: its text with trailing newlines trimmed, then "\n". */
  text?: boolean;
  signal?: AbortSignal;
  log?: Logger;
  retryWindowMs?: number;
}

export interface SubscribeStreamResult {
  segments: number;
  bytes: number;
  gaps: number;
  /** end: end of stream; count: the requested number of segments was read; output-closed: the reader went away (EPIPE); stopped: signal. */
  reason: 'end' | 'count' | 'output-closed' | 'stopped';
}

class OutputClosed extends Error {}

/** Writes with backpressure; rejects with OutputClosed when the reader went away (EPIPE and friends). */
function writeTo(out: NodeJS.WritableStream, chunk: Uint8Array | string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      cleanup();
      reject(new OutputClosed(err.message));
    };
    const onClose = () => {
      cleanup();
      reject(new OutputClosed('output closed'));
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      out.off('error', onError);
      out.off('close', onClose);
      out.off('drain', onDrain);
    };
    out.on('error', onError);
    out.on('close', onClose);
    if (out.write(chunk)) {
      cleanup();
      resolve();
    } else out.on('drain', onDrain);
  });
}

/** Why: the core of `trickle subscribe`; the command only picks the output and maps the result to an exit code. */
export async function subscribeStream(opts: SubscribeStreamOptions): Promise<SubscribeStreamResult> {
  const log = opts.log ?? silentLogger;
  const sub = new Subscriber({
    url: opts.url,
    start: opts.start,
    waitForChannel: opts.waitForChannel,
    signal: opts.signal,
    log,
    retryWindowMs: opts.retryWindowMs,
  });
  // A broken pipe must not become an uncaught 'error' between writes.
  const swallow = () => {};
  opts.output.on('error', swallow);
  let segments = 0;
  let bytes = 0;
  let reason: SubscribeStreamResult['reason'] = 'end';
  try {
    for (;;) {
      if (opts.count !== undefined && segments >= opts.count) {
        reason = 'count';
        break;
      }
      const seg = await sub.next();
      if (!seg) break;
      if (segments === 0) log.info('receiving', { url: opts.url, seq: seg.seq });
      if (opts.text) {
        const parts: Buffer[] = [];
        for await (const chunk of seg.body) parts.push(chunk as Buffer);
        const text = Buffer.concat(parts).toString('utf8').replace(/[\r\n]+$/, '');
        bytes += Buffer.byteLength(text);
        await writeTo(opts.output, text + '\n');
      } else {
        for await (const chunk of seg.body) {
          bytes += (chunk as Buffer).byteLength;
          await writeTo(opts.output, chunk as Buffer);
        }
      }
      segments++;
      log.debug('segment received', { seq: seg.seq, gaps: sub.gaps });
    }
  } catch (err) {
    if (err instanceof OutputClosed) reason = 'output-closed';
    else if (opts.signal?.aborted && isAbortError(err)) reason = 'stopped';
    else throw err;
  } finally {
    opts.output.off('error', swallow);
    await sub.close();
  }
  log.info(reason === 'end' ? 'end of stream' : 'done', { url: opts.url, segments, bytes, gaps: sub.gaps, reason });
  return { segments, bytes, gaps: sub.gaps, reason };
}
