// Annex B NAL units of H.264 and HEVC: the one splitter, for the muxer's parameter sets and the decoder's size-change check.
import type { EsCodec } from './stream-types.js';

export interface NalUnit {
  /** The unit's type (H.264: 5 bits, HEVC: 6 bits of its header). */
  type: number;
  /** The unit without its start code. */
  bytes: Uint8Array;
}

/** NAL type of a unit's first header byte. */
function nalType(header: number, codec: EsCodec): number {
  return codec === 'hevc' ? (header >> 1) & 0x3f : header & 0x1f;
}

/** The NAL units of an Annex B byte string (without their start codes). */
export function nalUnits(b: Uint8Array, codec: EsCodec = 'h264'): NalUnit[] {
  const starts: number[] = [];
  for (let i = 0; i + 3 <= b.length; i++) {
    if (b[i] === 0 && b[i + 1] === 0 && b[i + 2] === 1) {
      starts.push(i + 3);
      i += 2;
    }
  }
  return starts.map((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1] - 3 : b.length;
    while (end > s && b[end - 1] === 0) end--; // a 4-byte start code's leading zero
    return { type: nalType(b[s], codec), bytes: b.subarray(s, end) };
  });
}

/** SPS type by codec: a change of it is a change of picture size (or of what else the stream declares). */
const SPS: Partial<Record<EsCodec, number>> = { h264: 7, hevc: 33 };

/** The sequence parameter set an access unit carries (keyframes do), if any. */
export function sequenceParameterSet(au: Uint8Array, codec: EsCodec): Uint8Array | undefined {
  const type = SPS[codec];
  return type === undefined ? undefined : nalUnits(au, codec).find((n) => n.type === type)?.bytes;
}
