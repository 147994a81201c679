// What an MPEG-TS elementary stream carries, from its PMT stream_type and descriptors.

export type EsKind = 'video' | 'audio' | 'other';

export type EsCodec = 'h264' | 'hevc' | 'mpeg1video' | 'mpeg2video' | 'mpeg4' | 'aac' | 'aac_latm' | 'mp2' | 'ac3' | 'eac3' | 'opus' | 'other';

export interface EsType {
  kind: EsKind;
  codec: EsCodec;
}

const BY_STREAM_TYPE: Record<number, EsType> = {
  0x01: { kind: 'video', codec: 'mpeg1video' },
  0x02: { kind: 'video', codec: 'mpeg2video' },
  0x10: { kind: 'video', codec: 'mpeg4' },
  0x1b: { kind: 'video', codec: 'h264' },
  0x24: { kind: 'video', codec: 'hevc' },
  0x03: { kind: 'audio', codec: 'mp2' },
  0x04: { kind: 'audio', codec: 'mp2' },
  0x0f: { kind: 'audio', codec: 'aac' },
  0x11: { kind: 'audio', codec: 'aac_latm' },
  0x81: { kind: 'audio', codec: 'ac3' },
  0x87: { kind: 'audio', codec: 'eac3' },
};

/** Stream types muxers use for what they write (ffmpeg's choices). */
export const STREAM_TYPE = { h264: 0x1b, aac: 0x0f, privateData: 0x06 } as const;

/** Descriptor tags that identify a private-data (0x06) audio stream. */
const DESCRIPTOR_REGISTRATION = 0x05;
const DESCRIPTOR_AC3 = 0x6a;
const DESCRIPTOR_EAC3 = 0x7a;

const REGISTERED: Record<string, EsCodec> = { Opus: 'opus', 'AC-3': 'ac3', EAC3: 'eac3' };

/** Classifies one PMT entry. Unknown types are 'other' (carried by nobody). */
export function esType(streamType: number, descriptors: Uint8Array): EsType {
  const known = BY_STREAM_TYPE[streamType];
  if (known) return known;
  if (streamType !== STREAM_TYPE.privateData) return { kind: 'other', codec: 'other' };
  for (let i = 0; i + 2 <= descriptors.length; i += 2 + descriptors[i + 1]) {
    const tag = descriptors[i];
    const len = descriptors[i + 1];
    if (tag === DESCRIPTOR_AC3) return { kind: 'audio', codec: 'ac3' };
    if (tag === DESCRIPTOR_EAC3) return { kind: 'audio', codec: 'eac3' };
    if (tag === DESCRIPTOR_REGISTRATION && len >= 4) {
      const id = String.fromCharCode(...descriptors.subarray(i + 2, i + 6));
      const codec = REGISTERED[id];
      if (codec) return { kind: 'audio', codec };
    }
  }
  return { kind: 'other', codec: 'other' };
}

/** The FourCC ffmpeg's NUT demuxer knows a video codec by (its BMP tag table). */
export const NUT_VIDEO_FOURCC: Partial<Record<EsCodec, string>> = {
  h264: 'H264',
  hevc: 'HEVC',
  mpeg1video: 'mpg1',
  mpeg2video: 'mpg2',
  mpeg4: 'FMP4',
};
