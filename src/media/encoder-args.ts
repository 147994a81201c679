// The ffmpeg arguments of the encoder's children (and of a one-process encode, for benchmark baselines).
//
//   -f nut -i pipe:0 -copyts               frames arrive with exact 90 kHz pts in NUT; nothing is shifted
//   -probesize 32 -analyzeduration 0 -fpsprobesize 0
//                                          the NUT header says everything; without these ffmpeg read ~20 frames
//                                          (fps probing, 1/90000 time base) before encoding the first one
//   -c:v libx264 -preset P -tune zerolatency -bf 0 -pix_fmt yuv420p
//                                          low-latency H.264 without B-frames (pts == dts), player-safe chroma
//   -threads N (libx264, media.threads)    x264's (sliced, with zerolatency) threads; without it x264 takes one
//                                          per core, so N streams on a machine would run N x cores threads
//   -c:v h264_nvenc -preset pN -tune ull -zerolatency 1 -rc-lookahead 0 -g 1000000000 -r 30
//                                          the same on NVENC: x264's preset mapped onto p1..p7, only forced
//                                          keyframes, and a nominal 30 fps for its level and rate control
//                                          (with -fps_mode passthrough, -r changes no timestamp)
//   -crf N | -b:v B -maxrate M -bufsize S  quality or bit rate: maxrate defaults to the bit rate and bufsize to
//                                          one second at maxrate, so no burst outgrows what a live reader takes
//                                          in a second (NVENC: -rc vbr -cq N -b:v 0, or -rc cbr/vbr)
//   -force_key_frames expr:...             an IDR when ≥ gop seconds of FRAME time passed since the last forced
//                                          one (first frame included); relative to prev_forced_t, because with
//                                          -copyts t starts at the input's pts (n_forced*gop would fire on every
//                                          frame of a stream that starts at t=10000 s)
//   -forced-idr 1 -x264-params keyint=infinite:scenecut=0:fps=30
//                                          only forced keyframes, all of them IDR: segment = GOP; a nominal
//                                          30 fps for the level x264 signals (it read the 1/90000 time base as
//                                          90000 fps and wrote level 6.2, which hardware decoders refuse)
//   -enc_time_base:v 1:90000 -fps_mode passthrough
//                                          no frame-rate guessing, no dup/drop, pts not rounded (VFR-exact)
//   -c:a aac|libopus -b:a R -ar 48000      audio re-encoded (128k AAC, 96k Opus unless set), channel count kept
//   -vf pad=... (odd sizes only)           yuv420p needs even sizes
//   -f nut -flush_packets 1                packets (with pts, keyframe flags and the codec's global header)
//                                          leave as soon as they are encoded
//   -avoid_negative_ts disabled            NUT cannot store negative pts, and by default ffmpeg would shift a
//                                          whole output to avoid them (silently moving audio against video)
//   -output_ts_offset 1 (audio)            the audio encoder's priming makes its first pts negative; a second
//                                          is added there and taken off again by the Encoder
import { PROBE } from './decoder-args.js';
import { mediaSettings } from './settings-check.js';
import type { MediaSettings } from './settings.js';

/** The audio stream an encoder writes (its codec and bit rate are media settings). */
export interface EncoderAudio {
  /** Of the frames to come (default 48000; the output is 48 kHz). */
  sampleRate?: number;
  /** Of the frames to come; by default the first audio frame's count. Frames with another count are dropped. */
  channels?: number;
}

/** Added to the audio output's pts in ffmpeg (see -output_ts_offset above) and taken off here. */
export const AUDIO_OFFSET_SECONDS = 1;

/** NVENC's presets (p1 fastest … p7 best) for x264's names. */
const NVENC_PRESET: Record<MediaSettings['preset'], string> = {
  ultrafast: 'p1', superfast: 'p1', veryfast: 'p2', faster: 'p3', fast: 'p4', medium: 'p4', slow: 'p5', slower: 'p6', veryslow: 'p7', placebo: 'p7',
};

/** The encoder a stream's video gets: `auto` that nobody resolved (see video-encoder.ts) is libx264. */
function isNvenc(media: MediaSettings): boolean {
  return media.videoEncoder === 'h264_nvenc';
}

function codec(media: MediaSettings): string[] {
  if (isNvenc(media)) {
    return ['-c:v', 'h264_nvenc', '-preset', NVENC_PRESET[media.preset], '-tune', 'ull', '-zerolatency', '1', '-bf', '0', '-rc-lookahead', '0', '-g', '1000000000', '-r', '30'];
  }
  const threads = media.threads === 'auto' ? [] : ['-threads', media.threads];
  return ['-c:v', 'libx264', '-preset', media.preset, '-tune', 'zerolatency', '-bf', '0', ...threads, '-x264-params', 'keyint=infinite:scenecut=0:fps=30'];
}

function rateControl(media: MediaSettings): string[] {
  const { crf, bitrate } = media;
  const maxrate = media.maxrate ?? bitrate;
  const args: string[] = [];
  if (crf !== undefined) args.push(...(isNvenc(media) ? ['-rc', 'vbr', '-cq', String(crf), '-b:v', '0'] : ['-crf', String(crf)]));
  if (bitrate !== undefined) args.push(...(isNvenc(media) ? ['-rc', maxrate === bitrate ? 'cbr' : 'vbr'] : []), '-b:v', String(bitrate));
  if (maxrate !== undefined) args.push('-maxrate', String(maxrate), '-bufsize', String(media.bufsize ?? maxrate));
  return args;
}

/** yuv420p needs even sizes: an odd width/height gets one black pixel row/column. */
export const PAD_TO_EVEN = 'pad=ceil(iw/2)*2:ceil(ih/2)*2';

/** Mapping, filters (`filters`, joined into one chain) and the video codec's settings, for any child that encodes video. */
export function videoEncoding(media: MediaSettings, filters: readonly string[] = []): string[] {
  const args = ['-map', '0:v:0'];
  if (filters.length) args.push('-vf', filters.join(','));
  args.push(...codec(media), '-pix_fmt', 'yuv420p', ...rateControl(media));
  // A thousandth of a second of slack: 90 kHz pts turned into float seconds do not subtract exactly.
  args.push('-force_key_frames', `expr:if(isnan(prev_forced_t),1,gte(t-prev_forced_t,${media.gop - 0.001}))`, '-forced-idr', '1');
  return [...args, '-enc_time_base:v', '1:90000', '-fps_mode', 'passthrough'];
}

/** The codec of the audio stream written (the muxer declares it in the PMT). */
export function outputAudioCodec(media: MediaSettings): 'aac' | 'opus' {
  return media.audioCodec ?? 'aac';
}

/** x264 threads for one of `streams` streams on `cores` cores: the cores shared out evenly, at least one each. */
export function threadsPerStream(cores: number, streams: number): number {
  return Math.max(1, Math.floor(cores / Math.max(1, streams)));
}

/** The channel count is the input's (so a child can start before the first audio frame says it). */
function audioEncoding(media: MediaSettings): string[] {
  const opus = outputAudioCodec(media) === 'opus';
  const bitrate = media.audioBitrate ?? (opus ? 96_000 : 128_000);
  return ['-map', '0:a:0', '-c:a', opus ? 'libopus' : 'aac', '-b:a', String(bitrate), '-ar', '48000'];
}

const INPUT = ['-loglevel', 'warning', ...PROBE, '-f', 'nut', '-i', 'pipe:0', '-copyts'];
export const NUT_OUT = ['-avoid_negative_ts', 'disabled', '-flush_packets', '1', '-f', 'nut'];

/** The video encoder's ffmpeg arguments: raw video NUT on stdin (its header names the pixel format), H.264 NUT on stdout. */
export function videoEncoderArgs(media: MediaSettings, oddSize = false): string[] {
  return [...INPUT, ...videoEncoding(media, oddSize ? [PAD_TO_EVEN] : []), ...NUT_OUT, 'pipe:1'];
}

/** The audio encoder's ffmpeg arguments: f32 NUT on stdin, AAC/Opus NUT on stdout. */
export function audioEncoderArgs(media: MediaSettings): string[] {
  return [...INPUT, ...audioEncoding(media), '-output_ts_offset', String(AUDIO_OFFSET_SECONDS), ...NUT_OUT, 'pipe:1'];
}

/**
 * The same encoding into ffmpeg's own MPEG-TS muxer on pipe:1 (no interleaving delay, pts kept):
 * what a plain `ffmpeg | ffmpeg` pipe runs, for benchmark baselines.
 */
export function encoderArgsTs(opts: Partial<MediaSettings> & { audio?: EncoderAudio | null } = {}): string[] {
  const media = mediaSettings(opts);
  const audio = opts.audio ? audioEncoding(media) : [];
  return [...INPUT, ...videoEncoding(media), ...audio, '-muxdelay', '0', '-muxpreload', '0', '-max_interleave_delta', '1', '-flush_packets', '1', '-f', 'mpegts', 'pipe:1'];
}

