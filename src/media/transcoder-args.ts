// The ffmpeg arguments of a video transcoder: one child that decodes the input's video and encodes it
// again, for streams whose processor never reads pixels (no video() hook). Decoded frames never
// leave ffmpeg, so nothing crosses a pipe but compressed packets both ways.
//
//   the decoder's input          compressed video in NUT on stdin, nothing probed, low delay (decoder-args.ts)
//   -vf scale…,crop…,pad…         the decoder's scaling (media.width/height, resize), then an even size
//                                 for yuv420p when the one asked for is odd (H.264's own 4:2:0 sizes are even)
//   the encoder's video settings  codec, rate control, keyframe rule, 90 kHz time base (encoder-args.ts)
//   -f nut on stdout              packets with pts, keyframe flags and the codec's global header
import { VIDEO_INPUT, scaleFilters, type DecodeSize } from './decoder-args.js';
import { NUT_OUT, PAD_TO_EVEN, videoEncoding } from './encoder-args.js';
import type { MediaSettings } from './settings.js';

export function videoTranscoderArgs(media: MediaSettings, size: DecodeSize = {}): string[] {
  const odd = (size.width ?? 0) % 2 === 1 || (size.height ?? 0) % 2 === 1;
  const filters = [...scaleFilters(size), ...(odd ? [PAD_TO_EVEN] : [])];
  return [...VIDEO_INPUT, ...videoEncoding(media, filters), ...NUT_OUT, 'pipe:1'];
}
