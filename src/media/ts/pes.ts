// PES packets: reading a PES header, and cutting one PES into 188-byte transport packets.
import { isUnitStart, payloadOffset, TS_PACKET_SIZE, TS_SYNC } from './packets.js';
import { PTS_WRAP, readTimestamp, writeTimestamp } from './pts.js';

export interface PesHeader {
  streamId: number;
  /** PES_packet_length: bytes after this field, or 0 for "until the next PES" (video). */
  packetLength: number;
  /** Offset of the payload from the start of the PES. */
  payloadStart: number;
  pts?: number;
  dts?: number;
}

/** Stream ids without the optional PES header (ISO 13818-1 table 2-21). */
const NO_OPTIONAL_HEADER = new Set([0xbc, 0xbe, 0xbf, 0xf0, 0xf1, 0xf2, 0xf8, 0xff]);

/**
 * Reads the PES header at the start of `b[0, len)`: undefined while more bytes are needed,
 * null when the bytes are not a PES header at all.
 */
export function readPesHeader(b: Uint8Array, len: number): PesHeader | undefined | null {
  if (len < 6) return undefined;
  if (b[0] !== 0 || b[1] !== 0 || b[2] !== 1) return null;
  const streamId = b[3];
  const packetLength = (b[4] << 8) | b[5];
  if (NO_OPTIONAL_HEADER.has(streamId)) return { streamId, packetLength, payloadStart: 6 };
  if (len < 9) return undefined;
  if ((b[6] & 0xc0) !== 0x80) return null; // the '10' marker bits
  const payloadStart = 9 + b[8];
  if (len < payloadStart) return undefined;
  if (packetLength !== 0 && packetLength + 6 < payloadStart) return null;
  const flags = b[7] >> 6;
  // One literal with every field (absent ones undefined), not fields added afterwards: an object
  // built up that way has a shape that V8's memory-reducing collections drop whenever no such
  // header is alive, throwing away every optimized function that read one.
  return {
    streamId,
    packetLength,
    payloadStart,
    pts: flags & 2 && payloadStart >= 14 ? readTimestamp(b, 9) : undefined,
    dts: flags === 3 && payloadStart >= 19 ? readTimestamp(b, 14) : undefined,
  };
}

/** Where a PES starting in one transport packet has its header, when the header fits in that packet. */
export interface PacketPes {
  header: PesHeader;
  /** Offset of the PES payload in the packet's buffer. */
  payload: number;
}

/** The header of the PES that starts in the packet at `b[off]`, or undefined (no PES starts there, or its header does not fit). */
export function packetPes(b: Uint8Array, off: number): PacketPes | undefined {
  if (!isUnitStart(b, off)) return undefined;
  const p = payloadOffset(b, off);
  if (p < 0) return undefined;
  const header = readPesHeader(b.subarray(p, off + TS_PACKET_SIZE), off + TS_PACKET_SIZE - p);
  return header ? { header, payload: p + header.payloadStart } : undefined;
}

/** The PTS (90 kHz) of the PES that starts in the packet at `b[off]`, or -1. */
export function packetPts(b: Uint8Array, off: number): number {
  return packetPes(b, off)?.header.pts ?? -1;
}

export interface PesPacketOptions {
  pid: number;
  streamId: number;
  pts: number;
  /** Written only when it differs from pts. */
  dts?: number;
  /** Sets random_access_indicator on the first packet (keyframes). */
  randomAccess?: boolean;
  /** Program clock reference (27 MHz) carried in the first packet. */
  pcr?: number;
}

/**
 * Cuts one PES (header + payload) into transport packets in a single new buffer. `cc` is the
 * PID's next continuity counter; returns the packets and the counter to use next.
 * PES_packet_length is set whenever it fits, so readers know where the PES ends.
 */
export function pesPackets(opts: PesPacketOptions, payload: Uint8Array, cc: number): { packets: Uint8Array; cc: number } {
  const withDts = opts.dts !== undefined && opts.dts !== opts.pts;
  const headerLen = 9 + (withDts ? 10 : 5);
  const pesLen = headerLen + payload.length;
  const header = new Uint8Array(headerLen);
  header.set([0, 0, 1, opts.streamId]);
  const lengthField = pesLen - 6 <= 0xffff ? pesLen - 6 : 0;
  header[4] = lengthField >> 8;
  header[5] = lengthField & 0xff;
  header[6] = 0x80;
  header[7] = withDts ? 0xc0 : 0x80;
  header[8] = headerLen - 9;
  writeTimestamp(header, 9, withDts ? 3 : 2, opts.pts);
  if (withDts) writeTimestamp(header, 14, 1, opts.dts!);

  // First packet: 4-byte header, optional adaptation field (flags + PCR), then PES bytes.
  const firstAf = opts.randomAccess || opts.pcr !== undefined ? 2 + (opts.pcr !== undefined ? 6 : 0) : 0;
  const firstRoom = TS_PACKET_SIZE - 4 - firstAf;
  const rest = Math.max(0, pesLen - firstRoom);
  const count = 1 + Math.ceil(rest / (TS_PACKET_SIZE - 4));
  const out = new Uint8Array(count * TS_PACKET_SIZE);
  let src = 0; // bytes of the PES written so far
  const copy = (dst: number, n: number) => {
    // The PES is header then payload: copy n bytes from the virtual offset `src`.
    let left = n;
    while (left > 0) {
      if (src < headerLen) {
        const k = Math.min(left, headerLen - src);
        out.set(header.subarray(src, src + k), dst);
        src += k;
        dst += k;
        left -= k;
      } else {
        const from = src - headerLen;
        out.set(payload.subarray(from, from + left), dst);
        src += left;
        left = 0;
      }
    }
  };
  for (let i = 0; i < count; i++) {
    const p = i * TS_PACKET_SIZE;
    const first = i === 0;
    const af = first ? firstAf : 0;
    const room = TS_PACKET_SIZE - 4 - af;
    const data = Math.min(room, pesLen - src);
    const stuffing = room - data;
    out[p] = TS_SYNC;
    out[p + 1] = (first ? 0x40 : 0) | (opts.pid >> 8);
    out[p + 2] = opts.pid & 0xff;
    const hasAf = af > 0 || stuffing > 0;
    out[p + 3] = (hasAf ? 0x30 : 0x10) | (cc & 0x0f);
    cc = (cc + 1) & 0x0f;
    let q = p + 4;
    if (hasAf) {
      const afLen = af + stuffing; // bytes of the whole adaptation field, length byte included
      out[q] = afLen - 1;
      if (afLen > 1) {
        out[q + 1] = (first && opts.randomAccess ? 0x40 : 0) | (first && opts.pcr !== undefined ? 0x10 : 0);
        if (first && opts.pcr !== undefined) writePcr(out, q + 2, opts.pcr);
        out.fill(0xff, q + (af || 2), q + afLen);
      }
      q += afLen;
    }
    copy(q, data);
  }
  return { packets: out, cc };
}

/** Writes a 6-byte PCR field (33-bit base at 90 kHz, 9-bit extension). */
function writePcr(b: Uint8Array, p: number, pcr27: number): void {
  const base = Math.floor(pcr27 / 300) % PTS_WRAP;
  const ext = pcr27 % 300;
  const hi = Math.floor(base / 2); // top 32 bits of the 33
  b[p] = (hi >>> 24) & 0xff;
  b[p + 1] = (hi >>> 16) & 0xff;
  b[p + 2] = (hi >>> 8) & 0xff;
  b[p + 3] = hi & 0xff;
  b[p + 4] = ((base & 1) << 7) | 0x7e | (ext >> 8);
  b[p + 5] = ext & 0xff;
}
