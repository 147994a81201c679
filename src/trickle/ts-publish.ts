// Pipes an MPEG-TS byte stream into a Publisher, one segment per GOP, each segment's bytes sent as they are read.
import { TsSegmenter, type TsSegmenterOptions } from '../media/ts/segmenter.js';
import { silentLogger, type Logger } from '../logger.js';
import type { Publisher } from './publisher.js';
import type { SegmentWriter } from './types.js';

export interface PublishTsOptions {
  /** Stops reading the source; the segment in progress is completed (graceful end). */
  signal?: AbortSignal;
  log?: Logger;
  /** Called when a segment was acknowledged by the relay. */
  onSegment?(seq: number, bytes: number): void;
  segmenter?: TsSegmenterOptions;
}

export interface PublishTsResult {
  segments: number;
  bytes: number;
  /** Bytes dropped by the segmenter (garbage, before the first keyframe). */
  garbageBytes: number;
}

const START = 0;
const END = 1;
type Step = Uint8Array | typeof START | typeof END;

/** Next item of `it`, or undefined once `signal` fires (the source is then abandoned). */
function nextOrAbort<T>(it: AsyncIterator<T>, signal?: AbortSignal): Promise<IteratorResult<T> | undefined> {
  if (!signal) return it.next();
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    it.next().then(
      (r) => {
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      },
      (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * Why: the one path from an MPEG-TS byte stream (stdin, ffmpeg's output, the encoder of a
 * pipeline) into a channel. Segment N+1 starts streaming while N's acknowledgement is still
 * on its way; acknowledgements are awaited in order and a fatal one (channel closed/missing)
 * stops publishing.
 */
export async function publishTs(source: AsyncIterable<Uint8Array>, publisher: Publisher, opts: PublishTsOptions = {}): Promise<PublishTsResult> {
  const log = opts.log ?? silentLogger;
  const steps: Step[] = [];
  const segmenter = new TsSegmenter(
    { onSegmentStart: () => steps.push(START), onData: (b) => steps.push(b), onSegmentEnd: () => steps.push(END) },
    opts.segmenter,
  );
  let writer: SegmentWriter | undefined;
  let segmentBytes = 0;
  let segments = 0;
  let bytes = 0;
  let acked: Promise<void> = Promise.resolve();
  let failure: unknown;

  const run = async () => {
    for (let i = 0; i < steps.length; i++) {
      if (failure) throw failure;
      const step = steps[i]!;
      if (step === START) {
        writer = await publisher.next();
        segmentBytes = 0;
      } else if (step === END) {
        const w = writer!;
        const n = segmentBytes;
        writer = undefined;
        await acked;
        acked = w.end().then(
          () => {
            segments++;
            bytes += n;
            log.debug('segment published', { seq: w.seq, bytes: n });
            opts.onSegment?.(w.seq, n);
          },
          (err) => {
            failure ??= err;
          },
        );
      } else if (writer) {
        await writer.write(step);
        segmentBytes += step.byteLength;
      }
    }
    steps.length = 0;
  };

  const it = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      const r = await nextOrAbort(it, opts.signal);
      if (!r || r.done) break;
      segmenter.push(r.value);
      await run();
    }
    segmenter.end();
    await run();
    await acked;
    if (failure) throw failure;
  } catch (err) {
    steps.length = 0;
    await writer?.abort().catch(() => {});
    throw err;
  } finally {
    if (opts.signal?.aborted) void it.return?.()?.catch?.(() => {});
  }
  return { segments, bytes, garbageBytes: segmenter.stats.garbageBytes };
}
