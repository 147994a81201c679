// Whether a video access unit is a keyframe, from its own bytes (for muxers that set no random-access flag).
import type { EsCodec } from './stream-types.js';

/** True when the access unit holds an IDR/IRAP picture (H.264/HEVC) or a sequence header (MPEG-1/2). */
export function isKeyframe(au: Uint8Array, codec: EsCodec): boolean {
  const end = au.length - 3;
  for (let i = 0; i < end; i++) {
    if (au[i] !== 0 || au[i + 1] !== 0 || au[i + 2] !== 1) continue;
    const h = au[i + 3];
    if (codec === 'h264') {
      const t = h & 0x1f;
      if (t === 5) return true;
      if (t === 1) return false; // the first slice is not IDR
    } else if (codec === 'hevc') {
      const t = (h >> 1) & 0x3f;
      if (t >= 16 && t <= 21) return true;
      if (t < 16) return false;
    } else if (codec === 'mpeg1video' || codec === 'mpeg2video') {
      if (h === 0xb3) return true; // sequence header: sent with I-frames
      if (h === 0x00) return false; // picture start without one
    } else return false;
    i += 2;
  }
  return false;
}
