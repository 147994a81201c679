// What `trickle publish` does: MPEG-TS (stdin or a file via ffmpeg) or text lines into a channel, then close it.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { silentLogger, type Logger } from '../logger.js';
import { openTsInput, type TsInput } from '../media/ts-input.js';
import { Publisher } from './publisher.js';
import { publishTs } from './ts-publish.js';

export interface PublishStreamOptions {
  url: string;
  /** '-' for `stdin`, otherwise a file ffmpeg reads. */
  input: string;
  stdin: Readable;
  re?: boolean;
  loop?: boolean;
  /** One segment per input line (application/json) instead of MPEG-TS. */
  text?: boolean;
  /** Leave the channel open at the end (no DELETE). */
  keepOpen?: boolean;
  ffmpegPath?: string;
  /** Graceful stop: the current segment is completed and the channel closed. */
  signal?: AbortSignal;
  log?: Logger;
  /** How often progress is logged (default 10 s; 0 = never). */
  progressMs?: number;
  retryWindowMs?: number;
}

export interface PublishStreamResult {
  segments: number;
  bytes: number;
  lost: number;
}

/** Why: the core of `trickle publish`, so the command only turns flags into these options. */
export async function publishStream(opts: PublishStreamOptions): Promise<PublishStreamResult> {
  const log = opts.log ?? silentLogger;
  // After a graceful stop is asked for, give the publisher a few seconds to finish, then cut it off.
  const hard = new AbortController();
  const onStop = () => setTimeout(() => hard.abort('stop'), 5_000).unref();
  opts.signal?.addEventListener('abort', onStop, { once: true });
  const publisher = new Publisher({
    url: opts.url,
    contentType: opts.text ? 'application/json' : 'video/mp2t',
    deleteOnClose: !opts.keepOpen,
    signal: hard.signal,
    log,
    retryWindowMs: opts.retryWindowMs,
  });
  let segments = 0;
  let bytes = 0;
  const progress =
    opts.progressMs === 0
      ? undefined
      : setInterval(() => log.info('publishing', { url: opts.url, segments, bytes, lost: publisher.lost }), opts.progressMs ?? 10_000);
  progress?.unref();
  let input: TsInput | undefined;
  try {
    if (opts.text) {
      const lines = createInterface({ input: opts.stdin, crlfDelay: Infinity });
      const it = lines[Symbol.asyncIterator]();
      const stopped = new Promise<undefined>((resolve) => {
        if (opts.signal?.aborted) resolve(undefined);
        opts.signal?.addEventListener('abort', () => resolve(undefined), { once: true });
      });
      for (;;) {
        const r = await Promise.race([it.next(), stopped]);
        if (!r || r.done) break;
        if (r.value.trim() === '') continue;
        await publisher.publish(r.value);
        segments++;
        bytes += Buffer.byteLength(r.value);
      }
      lines.close();
    } else {
      let source: AsyncIterable<Uint8Array> = opts.stdin;
      if (opts.input !== '-') {
        input = await openTsInput({ file: opts.input, re: opts.re, loop: opts.loop, ffmpegPath: opts.ffmpegPath, signal: hard.signal, log });
        source = input.stream;
      }
      const r = await publishTs(source, publisher, {
        signal: opts.signal,
        log,
        onSegment: (_seq, n) => {
          segments++;
          bytes += n;
        },
      });
      if (r.garbageBytes > 0) log.warn('input had bytes that were not MPEG-TS packets', { bytes: r.garbageBytes });
      if (!opts.signal?.aborted) await input?.done;
    }
  } finally {
    if (progress) clearInterval(progress);
    input?.close();
    opts.signal?.removeEventListener('abort', onStop);
    await publisher.close();
  }
  log.info(opts.keepOpen ? 'done, channel left open' : 'done, channel closed', { url: opts.url, segments, bytes, lost: publisher.lost });
  return { segments, bytes, lost: publisher.lost };
}
