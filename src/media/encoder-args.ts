// The ffmpeg arguments of the encoder's children (and of a one-process encode, for benchmark baselines).
//
//   -f nut -i pipe:0 -copyts               frames arrive with exact 90 kHz pts in NUT; nothing is shifted
//   -probesize 32 -analyzeduration 0 -fpsprobesize 0
//                                          the NUT header says everything; without these ffmpeg read ~20 frames
//                                          (fps probing, 1/90000 time base) before encoding the first one
//   -c:v libx264 -preset P -tune zerolatency -bf 0 -pix_fmt yuv420p
//                                          low-latency H.264 without B-frames (pts == dts), player-safe chroma
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
//   -c:a aac|libopus -ar 48000             audio re-encoded, channel count kept
//   -vf pad=... (odd sizes only)           yuv420p needs even sizes
//   -f nut -flush_packets 1                packets (with pts, keyframe flags and the codec's global header)
//                                          leave as soon as they are encoded
//   -avoid_negative_ts disabled            NUT cannot store negative pts, and by default ffmpeg would shift a
//                                          whole output to avoid them (silently moving audio against video)
//   -output_ts_offset 1 (audio)            the audio encoder's priming makes its first pts negative; a second
//                                          is added there and taken off again by the Encoder
import { mediaSettings } from './settings-check.js';
import type { MediaSettings } from './settings.js';

/** The audio stream an encoder writes. */
export interface EncoderAudio {
  /** Of the frames to come (default 48000; the output is 48 kHz). */
  sampleRate?: number;
  /** Of the frames to come; by default the first audio frame's count. Frames with another count are dropped. */
  channels?: number;
  codec?: 'aac' | 'opus';
}

/** Added to the audio output's pts in ffmpeg (see -output_ts_offset above) and taken off here. */
export const AUDIO_OFFSET_SECONDS = 1;

function videoEncoding(media: MediaSettings, oddSize: boolean): string[] {
  const { gop } = media;
  const args = ['-map', '0:v:0'];
  // yuv420p needs even sizes: an odd width/height gets one black pixel row/column.
  if (oddSize) args.push('-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2');
  args.push('-c:v', 'libx264', '-preset', media.preset, '-tune', 'zerolatency', '-bf', '0', '-pix_fmt', 'yuv420p');
  // A thousandth of a second of slack: 90 kHz pts turned into float seconds do not subtract exactly.
  args.push('-force_key_frames', `expr:if(isnan(prev_forced_t),1,gte(t-prev_forced_t,${gop - 0.001}))`);
  args.push('-forced-idr', '1', '-x264-params', 'keyint=infinite:scenecut=0:fps=30');
  return [...args, '-enc_time_base:v', '1:90000', '-fps_mode', 'passthrough'];
}

/** The codec of the audio stream written (the muxer declares it in the PMT). */
export function outputAudioCodec(_media: MediaSettings, audio: EncoderAudio): 'aac' | 'opus' {
  return audio.codec ?? 'aac';
}

/** The channel count is the input's (so a child can start before the first audio frame says it). */
function audioEncoding(media: MediaSettings, audio: EncoderAudio): string[] {
  const codec = outputAudioCodec(media, audio) === 'opus' ? ['-c:a', 'libopus', '-b:a', '96k'] : ['-c:a', 'aac', '-b:a', '128k'];
  return ['-map', '0:a:0', ...codec, '-ar', '48000'];
}

const INPUT = ['-loglevel', 'warning', '-probesize', '32', '-analyzeduration', '0', '-fpsprobesize', '0', '-f', 'nut', '-i', 'pipe:0', '-copyts'];
const NUT_OUT = ['-avoid_negative_ts', 'disabled', '-flush_packets', '1', '-f', 'nut'];

/** The video encoder's ffmpeg arguments: rgb24 NUT on stdin, H.264 NUT on stdout. */
export function videoEncoderArgs(media: MediaSettings, oddSize = false): string[] {
  return [...INPUT, ...videoEncoding(media, oddSize), ...NUT_OUT, 'pipe:1'];
}

/** The audio encoder's ffmpeg arguments: f32 NUT on stdin, AAC/Opus NUT on stdout. */
export function audioEncoderArgs(media: MediaSettings, audio: EncoderAudio): string[] {
  return [...INPUT, ...audioEncoding(media, audio), '-output_ts_offset', String(AUDIO_OFFSET_SECONDS), ...NUT_OUT, 'pipe:1'];
}

/**
 * The same encoding into ffmpeg's own MPEG-TS muxer on pipe:1 (no interleaving delay, pts kept):
 * what a plain `ffmpeg | ffmpeg` pipe runs, for benchmark baselines.
 */
export function encoderArgsTs(opts: Partial<MediaSettings> & { audio?: EncoderAudio | null } = {}): string[] {
  const media = mediaSettings(opts);
  const audio = opts.audio ? audioEncoding(media, opts.audio) : [];
  return [...INPUT, ...videoEncoding(media, false), ...audio, '-muxdelay', '0', '-muxpreload', '0', '-max_interleave_delta', '1', '-flush_packets', '1', '-f', 'mpegts', 'pipe:1'];
}

