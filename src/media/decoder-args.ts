// The ffmpeg arguments of the decoder's children (and of a one-process decode, for benchmark baselines).
//
//   -probesize 32 -analyzeduration 0 -fpsprobesize 0
//                                        each input holds one stream whose first packet tells
//                                        ffmpeg all it needs; no waiting for more
//   -flags low_delay -threads 1 (input)  no decoder delay beyond the stream's own reordering
//   -copyts                              keep the input's timestamps (no start-time shift)
//   -threads 1 (output)                  the rawvideo encoder is frame-threaded: on 2+ cores it
//                                        handed each frame out one frame late (33 ms at 30 fps)
//   -c:v rawvideo -pix_fmt F             the pixels our frames carry (the processor's format, rgb24 by
//                                        default); optional scale+centre-crop
//   -enc_time_base:v 1:90000             rawvideo's default 1/framerate time base would round VFR pts
//   -fps_mode passthrough                one output frame per decoded frame, never duplicated or dropped
//   -c:a pcm_f32le -ar 48000             interleaved float audio, channel count kept
//   -f nut -flush_packets 1              NUT carries per-frame pts (VFR-exact); flushed per packet
//   -avioflags direct -listen 1 unix:P   video leaves on a unix socket we connect to (see nut-socket.ts),
//                                        each frame in one write rather than 32 KiB at a time
// An input resolution change mid-stream: ffmpeg scales later frames to the first size (its
// rawvideo encoder is fixed at the first size), so every frame's width/height stay real. The
// decoder asks for that same scaling explicitly (`stretch`) from a child that starts later
// in a stream whose size is the first one's, and starts a new child where it follows a change.

import type { PixelFormat } from './pixel-format.js';

export interface DecodeSize {
  /** Scale to this size (aspect kept, centre-cropped, unless `stretch`); both or neither. */
  width?: number;
  height?: number;
  /** Scale to exactly width x height, as ffmpeg scales frames of another size to the first. */
  stretch?: boolean;
}

export const PROBE = ['-probesize', '32', '-analyzeduration', '0', '-fpsprobesize', '0'];
/** How a video child reads compressed video: NUT on stdin, nothing probed, no decoder delay, pts kept. */
export const VIDEO_INPUT = ['-loglevel', 'warning', ...PROBE, '-flags', 'low_delay', '-threads', '1', '-f', 'nut', '-i', 'pipe:0', '-copyts'];
const NUT_OUT = ['-flush_packets', '1', '-f', 'nut', 'pipe:1'];

/** The filters that bring decoded frames to `size` (none without one). */
export function scaleFilters(size: DecodeSize): string[] {
  const { width: w, height: h } = size;
  if (!w || !h) return [];
  return size.stretch ? [`scale=${w}:${h}`] : [`scale=${w}:${h}:force_original_aspect_ratio=increase`, `crop=${w}:${h}`];
}

function scale(size: DecodeSize): string[] {
  const filters = scaleFilters(size);
  return filters.length ? ['-vf', filters.join(',')] : [];
}

function rawVideo(format: PixelFormat): string[] {
  return ['-c:v', 'rawvideo', '-pix_fmt', format, '-enc_time_base:v', '1:90000', '-fps_mode', 'passthrough'];
}

/** The video ffmpeg: compressed video in NUT on stdin; raw `format` NUT out on a unix socket it listens on, or on stdout. */
export function videoDecoderArgs(size: DecodeSize = {}, socketPath?: string, format: PixelFormat = 'rgb24'): string[] {
  const args = [...VIDEO_INPUT, '-threads', '1', '-map', '0:v:0', ...scale(size), ...rawVideo(format)];
  if (!socketPath) return [...args, ...NUT_OUT];
  return [...args, '-flush_packets', '1', '-avioflags', 'direct', '-f', 'nut', '-listen', '1', `unix:${socketPath}`];
}

/** The audio ffmpeg: an audio-only MPEG-TS on stdin, f32 NUT on stdout. */
export function audioDecoderArgs(): string[] {
  return ['-loglevel', 'warning', ...PROBE, '-f', 'mpegts', '-i', 'pipe:0', '-copyts', '-map', '0:a:0', '-c:a', 'pcm_f32le', '-ar', '48000', ...NUT_OUT];
}

/**
 * A single-process decode of MPEG-TS on stdin (video and audio in one NUT on stdout): what a
 * plain `ffmpeg | ffmpeg` pipe runs, for benchmark baselines.
 */
export function decoderArgs(opts: DecodeSize & { audio?: boolean; format?: PixelFormat } = {}): string[] {
  const audio = opts.audio !== false;
  const args = ['-loglevel', 'warning', '-flags', 'low_delay', '-threads', '1', '-f', 'mpegts', '-i', 'pipe:0', '-copyts', '-threads', '1', '-map', '0:v:0?'];
  if (audio) args.push('-map', '0:a:0?');
  args.push(...scale(opts), ...rawVideo(opts.format ?? 'rgb24'));
  if (audio) args.push('-c:a', 'pcm_f32le', '-ar', '48000');
  return [...args, ...NUT_OUT];
}
