// One received segment → its SegmentProbe: demuxed facts (PTS, keyframe, codecs) plus an ffmpeg decode of it alone.
import type { FfmpegLocation } from '../media/ffmpeg.js';
import { decodeCheck } from './decode-check.js';
import type { ReceivedSegment } from './read-channel.js';
import { avOffsetMs, fpsFromPts, tsFacts } from './ts-facts.js';
import type { SegmentProbe } from './types.js';

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Why: every number in a segment's row comes from the segment alone, so a broken one never hides behind its neighbours. */
export async function analyseSegment(seg: ReceivedSegment, opts: { ffmpeg: FfmpegLocation; signal?: AbortSignal }): Promise<SegmentProbe> {
  const facts = tsFacts(seg.bytes);
  const decoded = await decodeCheck(seg.bytes, { ffmpeg: opts.ffmpeg, hasVideo: facts.videoCodec !== null, signal: opts.signal });
  const rate = fpsFromPts(facts.videoPts);
  const offset = avOffsetMs(facts);
  return {
    seq: seg.seq,
    missingBefore: seg.missingBefore,
    bytes: seg.bytes.length,
    receivedAt: round(seg.receivedAt),
    receiveSeconds: round(seg.receiveSeconds),
    interval: seg.interval === null ? null : round(seg.interval),
    idleBefore: seg.idleBefore === null ? null : round(seg.idleBefore),
    decodes: decoded.ok,
    decodeError: decoded.error,
    keyframeStart: facts.keyframeStart,
    videoCodec: facts.videoCodec,
    videoFrames: facts.videoFrames,
    decodedFrames: decoded.decodedFrames,
    fps: rate ? round(rate.fps, 2) : null,
    width: decoded.width,
    height: decoded.height,
    audio:
      facts.audioCodec !== null && facts.audioPackets > 0
        ? { codec: facts.audioCodec, channels: decoded.audioChannels, sampleRate: decoded.sampleRate, packets: facts.audioPackets }
        : null,
    avOffsetMs: offset === null ? null : round(offset, 1),
    meanColor: decoded.meanColor ? { r: round(decoded.meanColor.r, 1), g: round(decoded.meanColor.g, 1), b: round(decoded.meanColor.b, 1) } : null,
  };
}
