// Turns NUT packets from the decoder's ffmpeg into VideoFrame/AudioFrame (90 kHz pts, real sizes).
import { TrickleError } from '../errors.js';
import { TIME_BASE_90K, type AudioFrame, type TimeBase, type VideoFrame } from './frames.js';
import type { NutPacket } from './nut/demuxer.js';
import type { NutStream } from './nut/headers.js';
import { formatOfFourcc, frameBytes } from './pixel-format.js';

/** What the decoder's output holds, known before the first frame (from ffmpeg's stream headers). */
export interface DecodedStreams {
  video?: { width: number; height: number };
  audio?: { sampleRate: number; channels: number };
}

/** pts in `tb` → 90 kHz (exact when 90000·num is a multiple of den, rounded otherwise). */
export function to90k(pts: number, tb: TimeBase): number {
  if (tb.num === 1 && tb.den === 90_000) return pts;
  const scaled = pts * 90_000 * tb.num;
  return scaled % tb.den === 0 ? scaled / tb.den : Math.round(scaled / tb.den);
}

/** The first video and audio stream of the NUT headers, as frame facts. */
export function describeStreams(streams: NutStream[]): DecodedStreams {
  const out: DecodedStreams = {};
  const v = streams.find((s) => s.kind === 'video');
  const a = streams.find((s) => s.kind === 'audio');
  if (v?.width && v.height) out.video = { width: v.width, height: v.height };
  if (a?.sampleRate && a.channels) out.audio = { sampleRate: a.sampleRate, channels: a.channels };
  return out;
}

/** A video frame over the packet's bytes (no copy), in the stream's pixel format; its size is checked against the byte count. */
export function videoFrame(p: NutPacket, stream: NutStream): VideoFrame {
  const width = p.width ?? stream.width ?? 0;
  const height = p.height ?? stream.height ?? 0;
  const format = formatOfFourcc(stream.fourcc);
  if (!format) throw new TrickleError('TRICKLE_BAD_MEDIA', `decoded video has an unknown pixel format (FourCC ${JSON.stringify(String.fromCharCode(...stream.fourcc))})`);
  if (frameBytes(format, width, height) !== p.data.length) {
    throw new TrickleError('TRICKLE_BAD_MEDIA', `decoded frame holds ${p.data.length} bytes, expected ${frameBytes(format, width, height)} for ${width}x${height} ${format}`);
  }
  return { data: p.data, format, width, height, pts: to90k(p.pts, stream.timeBase), timeBase: TIME_BASE_90K };
}

/** An audio frame over the packet's f32le samples (copied only when the view would be misaligned). */
export function audioFrame(p: NutPacket, stream: NutStream): AudioFrame {
  const d = p.data;
  const data = d.byteOffset % 4 === 0 ? new Float32Array(d.buffer, d.byteOffset, d.length >> 2) : new Float32Array(new Uint8Array(d).buffer);
  return { data, sampleRate: stream.sampleRate ?? 48_000, channels: stream.channels ?? 1, pts: to90k(p.pts, stream.timeBase), timeBase: TIME_BASE_90K };
}
