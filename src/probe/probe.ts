// probeChannel(): read a channel for a while, judge each segment on its own, check the assertions, return one report.
import { TrickleError } from '../errors.js';
import { silentLogger } from '../logger.js';
import { resolveFfmpeg } from '../media/ffmpeg.js';
import { waitForChannel } from '../pipeline/wait-channel.js';
import { analyseSegment } from './analyse-segment.js';
import { checkExpectations, parseExpectations } from './expectations.js';
import { readChannel, type ReadChannelResult } from './read-channel.js';
import { summarise } from './summary.js';
import type { EventsProbe, ProbeOptions, ProbeReport, SegmentProbe } from './types.js';
import { watchEvents } from './watch-events.js';

export const PROBE_DEFAULTS = { segments: 5, durationSeconds: 10, timeoutSeconds: 60 } as const;

/** Decodes run beside the reading, at most this many at once (each is one ffmpeg). */
const DECODERS = 2;
/** A single segment's decode is given up (and reported as not decoding) after this long. */
const DECODE_TIMEOUT_MS = 60_000;

function validate(o: ProbeOptions): void {
  const bad = (msg: string) => new TrickleError('TRICKLE_USAGE', msg);
  if (o.start !== undefined && (!Number.isInteger(o.start) || o.start < -2)) throw bad(`start must be -2, -1 or a segment number >= 0, got ${o.start}`);
  if (o.segments !== undefined && (!Number.isInteger(o.segments) || o.segments < 1)) throw bad(`segments must be a whole number >= 1, got ${o.segments}`);
  if (o.durationSeconds !== undefined && !(o.durationSeconds > 0)) throw bad(`duration must be more than 0 seconds, got ${o.durationSeconds}`);
  if (o.timeoutSeconds !== undefined && !(o.timeoutSeconds > 0)) throw bad(`timeout must be more than 0 seconds, got ${o.timeoutSeconds}`);
}

/** Runs async jobs at most `n` at a time. */
function limit(n: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (job) => {
    while (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await job();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/**
 * Why: one call a CI job or an operator's script can rely on. Without `segments` and
 * `durationSeconds` it reads 5 segments or 10 s, whichever comes first; with one of them, only
 * that limit applies (and the timeout). Throws TRICKLE_USAGE for bad options or assertions
 * (before reading), TRICKLE_STREAM_NOT_FOUND for a missing channel; failed assertions are
 * not errors: they are in `expectations`, and `ok` is false.
 */
export async function probeChannel(opts: ProbeOptions): Promise<ProbeReport> {
  validate(opts);
  const log = opts.log ?? silentLogger;
  const expectations = parseExpectations(opts.expect ?? [], { events: Boolean(opts.eventsUrl) });
  const ffmpeg = resolveFfmpeg({ ffmpegPath: opts.ffmpegPath });
  const start = opts.start ?? -2;
  const neither = opts.segments === undefined && opts.durationSeconds === undefined;
  const segmentLimit = neither ? PROBE_DEFAULTS.segments : opts.segments;
  const durationSeconds = neither ? PROBE_DEFAULTS.durationSeconds : opts.durationSeconds;
  const timeoutMs = (opts.timeoutSeconds ?? Math.max(PROBE_DEFAULTS.timeoutSeconds, (durationSeconds ?? 0) + 30)) * 1000;
  const begun = Date.now();

  if (opts.waitForChannel) {
    const gaveUp = AbortSignal.timeout(timeoutMs);
    log.info('waiting for the channel to be created', { url: opts.url });
    const found = await waitForChannel(opts.url, { signal: opts.signal ? AbortSignal.any([opts.signal, gaveUp]) : gaveUp });
    if (!found && opts.signal?.aborted) throw new TrickleError('TRICKLE_ABORTED', 'probe stopped while waiting for the channel');
    if (!found) throw new TrickleError('TRICKLE_STREAM_NOT_FOUND', `channel ${opts.url} did not appear within ${timeoutMs / 1000} s`);
  }

  const events = opts.eventsUrl ? watchEvents(opts.eventsUrl, { log: log.child({ channel: 'events' }) }) : undefined;
  const startedAt = new Date().toISOString();
  const decode = limit(DECODERS);
  const analyses: Promise<SegmentProbe>[] = [];
  let eventsSeen: EventsProbe | null = null;
  let read: ReadChannelResult;
  try {
    read = await readChannel({
      url: opts.url,
      start,
      segments: segmentLimit,
      durationMs: durationSeconds === undefined ? undefined : durationSeconds * 1000,
      timeoutMs: Math.max(1, timeoutMs - (Date.now() - begun)),
      signal: opts.signal,
      log,
      onSegment: (seg) => {
        const analysis = decode(() => analyseSegment(seg, { ffmpeg, signal: AbortSignal.timeout(DECODE_TIMEOUT_MS) }));
        analysis.catch(() => {}); // awaited below, in order
        analyses.push(analysis);
      },
    });
  } finally {
    eventsSeen = (await events?.stop()) ?? null;
  }
  const segments = await Promise.all(analyses);
  for (const s of segments) log.debug('segment', { seq: s.seq, bytes: s.bytes, frames: s.videoFrames, fps: s.fps, decodes: s.decodes, keyframe: s.keyframeStart });
  const summary = summarise(segments, read);
  const results = checkExpectations(expectations, { summary, segments, events: eventsSeen });
  return {
    url: opts.url,
    start,
    startedAt,
    seconds: Math.round(read.seconds * 1000) / 1000,
    ended: read.ended,
    segments,
    summary,
    events: eventsSeen,
    expectations: results,
    ok: segments.length > 0 && results.every((r) => r.ok),
  };
}
