// Decodes one segment on its own with ffmpeg: did it decode cleanly, its size, its audio layout, its mean colour.
import type { Readable } from 'node:stream';
import { spawnFfmpeg, type FfmpegLocation } from '../media/ffmpeg.js';
import type { Rgb } from './types.js';

export interface DecodeCheck {
  ok: boolean;
  /** The first error line ffmpeg printed, or why nothing decoded. */
  error: string | null;
  decodedFrames: number;
  width: number | null;
  height: number | null;
  audioChannels: number | null;
  sampleRate: number | null;
  meanColor: Rgb | null;
}

export interface DecodeCheckOptions {
  ffmpeg: FfmpegLocation;
  /** Whether the demuxer saw a video stream (the mean-colour output needs one). */
  hasVideo: boolean;
  signal?: AbortSignal;
}

/** Frames are averaged at this size: area scaling in RGB keeps the mean within a fraction of a level. */
const MEAN_SIZE = 32;
const MEAN_FRAME_BYTES = MEAN_SIZE * MEAN_SIZE * 3;
/** Bytes of stderr kept: the first error is what matters, a broken segment can print thousands of lines. */
const STDERR_CAP = 16 * 1024;

async function collect(stream: Readable | null | undefined, cap = Infinity): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  if (!stream) return Buffer.alloc(0);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (n < cap) parts.push(chunk);
    n += chunk.length;
  }
  return Buffer.concat(parts);
}

export interface FramecrcInfo {
  videoFrames: number;
  audioFrames: number;
  width: number | null;
  height: number | null;
  audioChannels: number | null;
  sampleRate: number | null;
}

/** Reads ffmpeg's framecrc output: the header names each stream's kind and size, then one line per frame. */
export function readFramecrc(text: string): FramecrcInfo {
  const kinds = new Map<number, string>();
  const info: FramecrcInfo = { videoFrames: 0, audioFrames: 0, width: null, height: null, audioChannels: null, sampleRate: null };
  for (const line of text.split('\n')) {
    let m = /^#media_type (\d+): (\w+)/.exec(line);
    if (m) kinds.set(Number(m[1]), m[2]);
    m = /^#dimensions (\d+): (\d+)x(\d+)/.exec(line);
    if (m && info.width === null) [info.width, info.height] = [Number(m[2]), Number(m[3])];
    m = /^#sample_rate (\d+): (\d+)/.exec(line);
    if (m) info.sampleRate = Number(m[2]);
    // stream, dts, pts, duration, size, checksum
    m = /^(\d+),\s*-?\d+,\s*-?\d+,\s*(\d+),\s*(\d+),/.exec(line);
    if (!m) continue;
    const kind = kinds.get(Number(m[1]));
    if (kind === 'video') info.videoFrames++;
    if (kind !== 'audio') continue;
    info.audioFrames++;
    // Audio is written as pcm_s16le: bytes / (2 × samples) is the channel count, whatever the layout is called.
    if (info.audioChannels === null && Number(m[2]) > 0) info.audioChannels = Number(m[3]) / (2 * Number(m[2]));
  }
  return info;
}

function meanOf(raw: Buffer): { mean: Rgb; frames: number } | null {
  const frames = Math.floor(raw.length / MEAN_FRAME_BYTES);
  if (frames === 0) return null;
  let r = 0, g = 0, b = 0;
  const end = frames * MEAN_FRAME_BYTES;
  for (let i = 0; i < end; i += 3) {
    r += raw[i];
    g += raw[i + 1];
    b += raw[i + 2];
  }
  const px = end / 3;
  return { mean: { r: r / px, g: g / px, b: b / px }, frames };
}

/**
 * Why: "decodes alone" means what a player joining at this segment would see. One ffmpeg run
 * writes framecrc (sizes, frame counts, audio layout) on stdout and 32×32 RGB frames for the
 * mean colour on fd 3; any error line or a non-zero exit marks the segment as not decoding.
 */
export async function decodeCheck(bytes: Uint8Array, opts: DecodeCheckOptions): Promise<DecodeCheck> {
  const args = [
    '-loglevel', 'error', '-xerror',
    '-f', 'mpegts', '-i', 'pipe:0',
    '-map', '0:v:0?', '-map', '0:a:0?', '-fps_mode', 'passthrough',
    '-c:v', 'wrapped_avframe', '-c:a', 'pcm_s16le', '-f', 'framecrc', 'pipe:1',
  ];
  if (opts.hasVideo) {
    args.push('-map', '0:v:0', '-fps_mode', 'passthrough', '-vf', `format=rgb24,scale=${MEAN_SIZE}:${MEAN_SIZE}:flags=area`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:3');
  }
  const child = spawnFfmpeg(args, { ffmpeg: opts.ffmpeg, signal: opts.signal, fd3: opts.hasVideo });
  child.stdin!.on('error', () => {}); // ffmpeg may stop reading a segment it cannot use: its exit status says so
  child.stdin!.end(bytes);
  const [crc, raw, stderr, result] = await Promise.all([
    collect(child.stdout),
    collect(opts.hasVideo ? (child.stdio[3] as Readable) : undefined),
    collect(child.stderr, STDERR_CAP),
    child,
  ]);
  const info = readFramecrc(crc.toString('utf8'));
  // "[h264 @ 0x55d…] msg" → "[h264] msg": the address differs on every run.
  const firstError = stderr.toString('utf8').split('\n').map((l) => l.trim().replace(/ @ 0x[0-9a-f]+\]/, ']')).find((l) => l.length > 0) ?? null;
  let error: string | null = null;
  if (result.exitCode !== 0) error = firstError ?? `ffmpeg exited with ${result.exitCode ?? result.signal}`;
  else if (firstError) error = firstError;
  else if (info.videoFrames + info.audioFrames === 0 || (opts.hasVideo && info.videoFrames === 0)) error = 'no frame decoded';
  const mean = meanOf(raw);
  return {
    ok: error === null,
    error,
    decodedFrames: info.videoFrames,
    width: info.width,
    height: info.height,
    audioChannels: info.audioChannels,
    sampleRate: info.sampleRate,
    meanColor: mean?.mean ?? null,
  };
}
