// NUT container constants: startcodes, frame flags and the file id string (from the NUT spec).

/** Every NUT file starts with this string, NUL included. */
export const NUT_FILE_ID = new TextEncoder().encode('nut/multimedia container\0');

/** Startcodes are 64-bit; kept as [high, low] 32-bit halves to avoid BigInt on the hot path. */
export const STARTCODE = {
  main: [0x4e4d7a56, 0x1f5f04ad],
  stream: [0x4e531140, 0x5bf2f9db],
  syncpoint: [0x4e4be4ad, 0xeeca4569],
  index: [0x4e58dd67, 0x2f23e64e],
  info: [0x4e49ab68, 0xb596ba78],
} as const;

export type StartcodeKind = keyof typeof STARTCODE;

/** The startcode kind for a 64-bit value given as halves, or undefined for an unknown code. */
export function startcodeKind(hi: number, lo: number): StartcodeKind | undefined {
  for (const kind of Object.keys(STARTCODE) as StartcodeKind[]) {
    const [h, l] = STARTCODE[kind];
    if (h === hi && l === lo) return kind;
  }
  return undefined;
}

export const FLAG_KEY = 1;
export const FLAG_EOR = 2;
export const FLAG_CODED_PTS = 8;
export const FLAG_STREAM_ID = 16;
export const FLAG_SIZE_MSB = 32;
export const FLAG_CHECKSUM = 64;
export const FLAG_RESERVED = 128;
export const FLAG_SM_DATA = 256;
export const FLAG_HEADER_IDX = 1024;
export const FLAG_MATCH_TIME = 2048;
export const FLAG_CODED = 4096;
export const FLAG_INVALID = 8192;

/** Packets whose forward_ptr exceeds this carry a header checksum. */
export const HEADER_CHECKSUM_THRESHOLD = 4096;

/** Stream classes of a NUT stream header. */
export const STREAM_CLASS = { video: 0, audio: 1, subtitle: 2, data: 3 } as const;

/** The FourCC ffmpeg uses in NUT for f32 audio (video ones: pixel-format.ts). */
export const FOURCC_F32LE = Uint8Array.of(0x50, 0x46, 0x44, 32); // 'P','F','D',32
