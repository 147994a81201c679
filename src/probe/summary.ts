// The segments of a probe taken together: totals, the worst case where a worst case matters, the first where a first does.
import type { ProbeSummary, Rgb, SegmentProbe } from './types.js';

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

function maxOf(values: (number | null)[]): number | null {
  const xs = values.filter((v): v is number => v !== null);
  return xs.length ? Math.max(...xs) : null;
}

/** Mean colour over all decoded frames: each segment's mean weighted by its decoded frames. */
function meanColor(segments: readonly SegmentProbe[]): Rgb | null {
  let n = 0;
  const sum = { r: 0, g: 0, b: 0 };
  for (const s of segments) {
    if (!s.meanColor || s.decodedFrames === 0) continue;
    n += s.decodedFrames;
    sum.r += s.meanColor.r * s.decodedFrames;
    sum.g += s.meanColor.g * s.decodedFrames;
    sum.b += s.meanColor.b * s.decodedFrames;
  }
  return n ? { r: round(sum.r / n, 1), g: round(sum.g / n, 1), b: round(sum.b / n, 1) } : null;
}

/** Why: the summary is what `--expect` checks and what a CI log shows first. */
export function summarise(segments: readonly SegmentProbe[], read: { relayJumps: number; missingAfter: number }): ProbeSummary {
  let intervals = 0;
  let span = 0;
  for (const s of segments) {
    if (s.fps === null || s.videoFrames < 2) continue;
    intervals += s.videoFrames - 1;
    span += (s.videoFrames - 1) / s.fps;
  }
  const resolutions: string[] = [];
  for (const s of segments) {
    if (s.width === null || s.height === null) continue;
    const r = `${s.width}x${s.height}`;
    if (!resolutions.includes(r)) resolutions.push(r);
  }
  const withAudio = segments.filter((s) => s.audio !== null);
  const firstAudio = withAudio[0]?.audio;
  const offsets = segments.map((s) => s.avOffsetMs).filter((v): v is number => v !== null);
  return {
    segments: segments.length,
    bytes: segments.reduce((a, s) => a + s.bytes, 0),
    decodes: segments.length > 0 && segments.every((s) => s.decodes),
    keyframes: segments.length > 0 && segments.every((s) => s.keyframeStart),
    videoFrames: segments.reduce((a, s) => a + s.videoFrames, 0),
    decodedFrames: segments.reduce((a, s) => a + s.decodedFrames, 0),
    fps: span > 0 ? round(intervals / span, 2) : null,
    minFps: segments.some((s) => s.fps !== null) ? Math.min(...segments.filter((s) => s.fps !== null).map((s) => s.fps!)) : null,
    resolution: resolutions[0] ?? null,
    resolutions,
    videoCodec: segments.find((s) => s.videoCodec !== null)?.videoCodec ?? null,
    audio: firstAudio ? { codec: firstAudio.codec, channels: firstAudio.channels, sampleRate: firstAudio.sampleRate } : null,
    audioSegments: withAudio.length,
    avOffsetMs: offsets.length ? offsets.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a)) : null,
    gaps: segments.reduce((a, s) => a + s.missingBefore, 0) + read.missingAfter,
    relayJumps: read.relayJumps,
    maxIdleSeconds: maxOf(segments.map((s) => s.idleBefore)),
    maxIntervalSeconds: maxOf(segments.map((s) => s.interval)),
    meanColor: meanColor(segments),
  };
}
