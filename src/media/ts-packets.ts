// Reading MPEG-TS packet fields in place: PIDs, PAT/PMT, random-access flags, PES timestamps, keyframe NAL units.

export const TS_PACKET_SIZE = 188;
export const TS_SYNC = 0x47;
export const PAT_PID = 0;

export type VideoCodec = 'h264' | 'hevc' | 'other';

export interface ProgramMap {
  /** The first video elementary stream, or -1. */
  videoPid: number;
  videoCodec: VideoCodec;
  /** The first elementary stream of any kind (used for time-based cuts without video), or -1. */
  firstPid: number;
}

const VIDEO_TYPES: Record<number, VideoCodec> = { 0x01: 'other', 0x02: 'other', 0x10: 'other', 0x1b: 'h264', 0x24: 'hevc', 0x42: 'other' };

/** The packet's 13-bit PID. */
export function pidOf(b: Uint8Array, off: number): number {
  return ((b[off + 1]! & 0x1f) << 8) | b[off + 2]!;
}

/** payload_unit_start_indicator: a PES packet or PSI section starts in this packet. */
export function isUnitStart(b: Uint8Array, off: number): boolean {
  return (b[off + 1]! & 0x40) !== 0;
}

/** Offset of the packet's payload, or -1 when it has none. */
export function payloadOffset(b: Uint8Array, off: number): number {
  const afc = (b[off + 3]! >> 4) & 3;
  if ((afc & 1) === 0) return -1;
  let p = off + 4;
  if (afc & 2) p += 1 + b[off + 4]!;
  return p < off + TS_PACKET_SIZE ? p : -1;
}

/** random_access_indicator of the adaptation field (muxers set it on keyframes). */
export function hasRandomAccess(b: Uint8Array, off: number): boolean {
  return ((b[off + 3]! >> 4) & 2) !== 0 && b[off + 4]! > 0 && (b[off + 5]! & 0x40) !== 0;
}

/** Rewrites the 4-bit continuity counter. */
export function setContinuity(b: Uint8Array, off: number, cc: number): void {
  b[off + 3] = (b[off + 3]! & 0xf0) | (cc & 0x0f);
}

/** Start of the PSI section in a unit-start packet (after the pointer field), or -1. */
function sectionStart(b: Uint8Array, off: number): number {
  const p = payloadOffset(b, off);
  if (p < 0 || !isUnitStart(b, off)) return -1;
  const s = p + 1 + b[p]!;
  return s + 3 <= off + TS_PACKET_SIZE ? s : -1;
}

/** The PMT PID of the first program in a PAT packet, or -1. */
export function parsePat(b: Uint8Array, off: number): number {
  const s = sectionStart(b, off);
  if (s < 0 || b[s] !== 0x00) return -1;
  const end = Math.min(s + 3 + (((b[s + 1]! & 0x0f) << 8) | b[s + 2]!) - 4, off + TS_PACKET_SIZE);
  for (let i = s + 8; i + 4 <= end; i += 4) {
    const program = (b[i]! << 8) | b[i + 1]!;
    if (program !== 0) return ((b[i + 2]! & 0x1f) << 8) | b[i + 3]!;
  }
  return -1;
}

/** The elementary streams of a PMT packet (section contained in one packet), or undefined. */
export function parsePmt(b: Uint8Array, off: number): ProgramMap | undefined {
  const s = sectionStart(b, off);
  if (s < 0 || b[s] !== 0x02 || s + 12 > off + TS_PACKET_SIZE) return undefined;
  const end = Math.min(s + 3 + (((b[s + 1]! & 0x0f) << 8) | b[s + 2]!) - 4, off + TS_PACKET_SIZE);
  const map: ProgramMap = { videoPid: -1, videoCodec: 'other', firstPid: -1 };
  let i = s + 12 + (((b[s + 10]! & 0x0f) << 8) | b[s + 11]!);
  for (; i + 5 <= end; i += 5 + (((b[i + 3]! & 0x0f) << 8) | b[i + 4]!)) {
    const type = b[i]!;
    const pid = ((b[i + 1]! & 0x1f) << 8) | b[i + 2]!;
    if (map.firstPid < 0) map.firstPid = pid;
    const codec = VIDEO_TYPES[type];
    if (codec && map.videoPid < 0) {
      map.videoPid = pid;
      map.videoCodec = codec;
    }
  }
  return map;
}

/** The PTS (90 kHz) of a PES starting in this packet, or -1. */
export function pesPts(b: Uint8Array, off: number): number {
  const p = payloadOffset(b, off);
  if (p < 0 || p + 14 > off + TS_PACKET_SIZE || b[p] !== 0 || b[p + 1] !== 0 || b[p + 2] !== 1) return -1;
  if ((b[p + 7]! & 0x80) === 0) return -1;
  const q = p + 9;
  return (
    ((b[q]! >> 1) & 0x07) * 0x40000000 + // top 3 bits (times 2^30)
    ((b[q + 1]! << 22) | ((b[q + 2]! >> 1) << 15) | (b[q + 3]! << 7) | (b[q + 4]! >> 1))
  );
}

/** True when the PES starting in this packet carries an IDR/IRAP picture (or the parameter sets sent with one). */
export function startsWithKeyframeNal(b: Uint8Array, off: number, codec: VideoCodec): boolean {
  if (codec === 'other') return false;
  const p = payloadOffset(b, off);
  if (p < 0 || p + 9 > off + TS_PACKET_SIZE || b[p] !== 0 || b[p + 1] !== 0 || b[p + 2] !== 1) return false;
  const end = off + TS_PACKET_SIZE;
  for (let i = p + 9 + b[p + 8]!; i + 3 < end; i++) {
    if (b[i] !== 0 || b[i + 1] !== 0 || b[i + 2] !== 1) continue;
    const h = b[i + 3]!;
    if (codec === 'h264') {
      const t = h & 0x1f;
      if (t === 5 || t === 7) return true;
    } else {
      const t = (h >> 1) & 0x3f;
      if ((t >= 16 && t <= 21) || t === 32 || t === 33) return true;
    }
    i += 2;
  }
  return false;
}

/** 33-bit PTS difference b - a, tolerant of one wrap-around. */
export function ptsDelta(a: number, b: number): number {
  const d = b - a;
  return d < -(2 ** 32) ? d + 2 ** 33 : d;
}

/** Index of the next plausible packet start at or after `from` (a 0x47 followed by another 188 bytes later). */
function resync(b: Uint8Array, from: number): number {
  const end = b.length;
  for (let i = from; i < end; i++) {
    if (b[i] !== TS_SYNC) continue;
    if (i + TS_PACKET_SIZE >= end || b[i + TS_PACKET_SIZE] === TS_SYNC) return i;
  }
  return end;
}

/**
 * Splits a byte stream into 188-byte packets across chunk boundaries, skipping bytes that are
 * not part of a packet (and counting them). The one packet framing the segmenter and the
 * demuxer share.
 */
export class TsPacketFramer {
  garbageBytes = 0;
  private readonly carry = new Uint8Array(TS_PACKET_SIZE);
  private carryLen = 0;

  /**
   * Calls `packet(buf, off)` for each whole packet the chunk completes, in order: a view into the
   * chunk, or, for the packet that straddled two chunks, the framer's own buffer (valid only during
   * the call). `gap()` is called where garbage interrupts the packets.
   */
  push(chunk: Uint8Array, packet: (buf: Uint8Array, off: number) => void, gap?: () => void): void {
    let off = 0;
    const end = chunk.length;
    if (this.carryLen > 0) {
      const n = Math.min(TS_PACKET_SIZE - this.carryLen, end);
      this.carry.set(chunk.subarray(0, n), this.carryLen);
      this.carryLen += n;
      off = n;
      if (this.carryLen < TS_PACKET_SIZE) return;
      this.carryLen = 0;
      // The next packet does not follow: the carried bytes were garbage that happened to start with 0x47.
      if (off < end && chunk[off] !== TS_SYNC) this.garbageBytes += TS_PACKET_SIZE;
      else packet(this.carry, 0);
    }
    while (off + TS_PACKET_SIZE <= end) {
      if (chunk[off] !== TS_SYNC) {
        gap?.();
        const next = resync(chunk, off + 1);
        this.garbageBytes += next - off;
        off = next;
        continue;
      }
      packet(chunk, off);
      off += TS_PACKET_SIZE;
    }
    if (off < end) {
      const start = chunk[off] === TS_SYNC ? off : resync(chunk, off + 1);
      this.garbageBytes += start - off;
      this.carry.set(chunk.subarray(start, end), 0);
      this.carryLen = end - start;
    }
  }

  /** End of input: a trailing partial packet counts as garbage. */
  end(): void {
    this.garbageBytes += this.carryLen;
    this.carryLen = 0;
  }
}
