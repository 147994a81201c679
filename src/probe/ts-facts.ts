// What one MPEG-TS segment says about itself without decoding: codecs, frame PTS, keyframe at the start, audio start.
import { TsDemuxer, type TsDemuxEvent } from '../media/ts/demuxer.js';
import { isKeyframe } from '../media/ts/keyframes.js';

export interface TsFacts {
  videoCodec: string | null;
  audioCodec: string | null;
  /** Video PTS (90 kHz) in stream order; access units without one are left out. */
  videoPts: number[];
  /** Video access units, with or without a PTS. */
  videoFrames: number;
  /** The first video access unit is a keyframe. */
  keyframeStart: boolean;
  audioPackets: number;
  firstAudioPts: number | null;
  /** Bytes that were not transport packets. */
  garbageBytes: number;
}

const PTS_WRAP = 2 ** 33;

/** b − a in 90 kHz ticks, the short way round the 33-bit clock. */
export function ptsDiff(a: number, b: number): number {
  const d = (((b - a) % PTS_WRAP) + PTS_WRAP) % PTS_WRAP;
  return d >= PTS_WRAP / 2 ? d - PTS_WRAP : d;
}

/** Why: pts, keyframe and stream facts come from our own demuxer, exact and independent of ffmpeg's guesses. */
export function tsFacts(bytes: Uint8Array): TsFacts {
  const demuxer = new TsDemuxer();
  const facts: TsFacts = {
    videoCodec: null,
    audioCodec: null,
    videoPts: [],
    videoFrames: 0,
    keyframeStart: false,
    audioPackets: 0,
    firstAudioPts: null,
    garbageBytes: 0,
  };
  const take = (events: TsDemuxEvent[]) => {
    for (const ev of events) {
      if (ev.type === 'program') {
        facts.videoCodec ??= ev.program.video?.codec ?? null;
        facts.audioCodec ??= ev.program.audio?.codec ?? null;
        continue;
      }
      const { pes } = ev;
      if (pes.stream.kind === 'video') {
        if (facts.videoFrames === 0) {
          // Codecs whose keyframes we cannot read from the bytes fall back on the muxer's random-access flag.
          const known = pes.stream.codec === 'h264' || pes.stream.codec === 'hevc' || pes.stream.codec.startsWith('mpeg');
          facts.keyframeStart = known ? isKeyframe(pes.data, pes.stream.codec) : pes.randomAccess;
        }
        facts.videoFrames++;
        if (pes.pts !== undefined) facts.videoPts.push(pes.pts);
      } else if (pes.stream.kind === 'audio') {
        facts.audioPackets++;
        if (facts.firstAudioPts === null && pes.pts !== undefined) facts.firstAudioPts = pes.pts;
      }
    }
  };
  take(demuxer.push(bytes));
  take(demuxer.end());
  facts.garbageBytes = demuxer.stats.garbageBytes;
  return facts;
}

/** Frames per second from the PTS of a segment's frames; null with fewer than two distinct ones. */
export function fpsFromPts(pts: readonly number[]): { fps: number; frames: number; spanSeconds: number } | null {
  if (pts.length < 2) return null;
  const rel = pts.map((p) => ptsDiff(pts[0], p));
  const span = Math.max(...rel) - Math.min(...rel);
  if (span <= 0) return null;
  const spanSeconds = span / 90_000;
  return { fps: (pts.length - 1) / spanSeconds, frames: pts.length, spanSeconds };
}

/** First audio PTS − first video PTS in ms (by presentation time: the lowest video PTS). */
export function avOffsetMs(facts: TsFacts): number | null {
  if (facts.firstAudioPts === null || facts.videoPts.length === 0) return null;
  const first = facts.videoPts.reduce((lo, p) => (ptsDiff(lo, p) < 0 ? p : lo));
  return ptsDiff(first, facts.firstAudioPts) / 90;
}
