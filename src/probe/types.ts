// The shapes `trickle probe` reports: one entry per segment, a summary, the events seen, the expectations checked.
import type { Logger } from '../logger.js';

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

export interface ProbeOptions {
  /** The channel to read, e.g. http://127.0.0.1:3389/out. */
  url: string;
  /** -2 (default: the segment being written now), -1 (the next one) or a seq. */
  start?: number;
  /** Stop after this many segments. */
  segments?: number;
  /** Start no new segment this many seconds after the first one began (the one arriving is read to its end). */
  durationSeconds?: number;
  /** Give up waiting for bytes after this many seconds from the start (default 60). */
  timeoutSeconds?: number;
  /** Wait (within the timeout) for a channel that does not exist yet instead of failing with TRICKLE_STREAM_NOT_FOUND. */
  waitForChannel?: boolean;
  /** The stream's events channel: the `state` of its `status` events is reported. */
  eventsUrl?: string;
  /** Assertions such as `fps>=25`, `keyframes`, `state=ONLINE` (see expectations.ts); a bad one throws TRICKLE_USAGE. */
  expect?: readonly string[];
  ffmpegPath?: string;
  signal?: AbortSignal;
  log?: Logger;
}

export interface SegmentAudio {
  /** As the PMT names it: aac, opus, mp2, ac3 … */
  codec: string;
  /** From the decoded samples; null when the audio did not decode. */
  channels: number | null;
  sampleRate: number | null;
  /** Audio PES packets in the segment. */
  packets: number;
}

/** What one segment holds, measured on that segment alone. */
export interface SegmentProbe {
  seq: number;
  /** Seqs missing right before this one (the relay moved past them, or they were empty or lost). */
  missingBefore: number;
  bytes: number;
  /** Seconds from the start of the probe to the segment's first byte. */
  receivedAt: number;
  /** Seconds from its first byte to its last. */
  receiveSeconds: number;
  /** Seconds since the previous segment's first byte (null for the first). */
  interval: number | null;
  /** Seconds without bytes between the previous segment's last byte and this one's first (null for the first). */
  idleBefore: number | null;
  /** ffmpeg decoded it, on its own, without an error and with at least one frame. */
  decodes: boolean;
  /** The first error ffmpeg printed (or why nothing decoded); null when it decodes. */
  decodeError: string | null;
  /** Its first video frame is a keyframe (IDR for H.264/HEVC). */
  keyframeStart: boolean;
  videoCodec: string | null;
  /** Video access units in the MPEG-TS. */
  videoFrames: number;
  /** Video frames ffmpeg decoded. */
  decodedFrames: number;
  /** From the video PTS: (frames − 1) / (last PTS − first PTS). */
  fps: number | null;
  width: number | null;
  height: number | null;
  audio: SegmentAudio | null;
  /** First audio PTS − first video PTS, in milliseconds. */
  avOffsetMs: number | null;
  /** Mean R, G, B (0–255) over the segment's decoded frames. */
  meanColor: Rgb | null;
}

/** The segments taken together. */
export interface ProbeSummary {
  segments: number;
  bytes: number;
  /** Every segment decodes on its own. */
  decodes: boolean;
  /** Every segment starts with a keyframe. */
  keyframes: boolean;
  videoFrames: number;
  decodedFrames: number;
  /** Over all segments: Σ(frames − 1) / Σ(PTS span). */
  fps: number | null;
  /** The lowest per-segment fps. */
  minFps: number | null;
  /** The first segment's WxH. */
  resolution: string | null;
  /** Every distinct WxH seen, in order. */
  resolutions: string[];
  videoCodec: string | null;
  /** The audio of the first segment that has audio. */
  audio: { codec: string; channels: number | null; sampleRate: number | null } | null;
  /** Segments that carry audio. */
  audioSegments: number;
  /** The per-segment A/V start offset furthest from zero. */
  avOffsetMs: number | null;
  /** Seqs missing between the segments read, before the first (with a numeric start) and jumped over after the last. */
  gaps: number;
  /** Seq jumps the subscriber made because it fell behind the relay's window (HTTP 470). */
  relayJumps: number;
  /** The longest idleBefore, in seconds. */
  maxIdleSeconds: number | null;
  /** The longest interval, in seconds. */
  maxIntervalSeconds: number | null;
  /** Mean R, G, B over every decoded frame. */
  meanColor: Rgb | null;
}

export interface EventsProbe {
  url: string;
  /** JSON messages read from the events channel. */
  events: number;
  /** How many events of each `type` arrived. */
  types: Record<string, number>;
  /** The distinct `state` values of `status` events, in the order first seen. */
  states: string[];
  lastState: string | null;
}

export interface ExpectationResult {
  /** The assertion as written, e.g. "fps>=25". */
  expectation: string;
  ok: boolean;
  /** What was measured, in words (e.g. "24.3", "segments 3, 4 have no audio"). */
  actual: string;
}

export type ProbeEnd = 'segments' | 'duration' | 'end-of-stream' | 'timeout' | 'stopped';

export interface ProbeReport {
  url: string;
  /** The start asked for (-2, -1 or a seq). */
  start: number;
  /** When reading began (ISO 8601). */
  startedAt: string;
  /** Seconds spent reading. */
  seconds: number;
  /** Why reading stopped. */
  ended: ProbeEnd;
  segments: SegmentProbe[];
  summary: ProbeSummary;
  events: EventsProbe | null;
  expectations: ExpectationResult[];
  /** At least one segment was read and every expectation held. */
  ok: boolean;
}
