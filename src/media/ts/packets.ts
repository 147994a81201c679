// MPEG-TS transport packets: their header fields read in place, and framing a byte stream into 188-byte packets.

export const TS_PACKET_SIZE = 188;
export const TS_SYNC = 0x47;
export const PAT_PID = 0;

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
