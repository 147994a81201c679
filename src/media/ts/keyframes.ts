// Whether video bytes start a keyframe, from the bitstream itself: the one rule for the decoder and the segmenter.
import type { EsCodec } from './stream-types.js';

/**
 * True when `au` (an access unit, or only its first bytes) starts a random-access point: its
 * first picture is IDR/IRAP (H.264/HEVC), or a sequence header comes before it (MPEG-1/2).
 * The first picture decides, so a recovery-point frame that merely repeats its parameter sets
 * is not one. Only when the bytes end before any picture (a segmenter sees one transport
 * packet, and an encoder's SEI can fill it) do parameter sets stand in: encoders send them
 * with every keyframe.
 */
export function isKeyframe(au: Uint8Array, codec: EsCodec): boolean {
  let parameterSets = false;
  const end = au.length - 3;
  for (let i = 0; i < end; i++) {
    if (au[i] !== 0 || au[i + 1] !== 0 || au[i + 2] !== 1) continue;
    const h = au[i + 3];
    if (codec === 'h264') {
      const t = h & 0x1f;
      if (t === 5) return true; // IDR slice
      if (t === 1) return false; // non-IDR slice
      if (t === 7) parameterSets = true; // SPS
    } else if (codec === 'hevc') {
      const t = (h >> 1) & 0x3f;
      if (t >= 16 && t <= 21) return true; // IRAP
      if (t < 16) return false; // any other picture
      if (t === 32 || t === 33) parameterSets = true; // VPS, SPS
    } else if (codec === 'mpeg1video' || codec === 'mpeg2video') {
      if (h === 0xb3) return true; // sequence header: sent with I-frames
      if (h === 0x00) return false; // picture start without one
    } else return false;
    i += 2;
  }
  return parameterSets;
}
