// MPEG-TS timestamps: the 33-bit 90 kHz PTS/DTS fields of PES headers, and differences across their wrap.

/** PTS/DTS are 33-bit: values wrap here. */
export const PTS_WRAP = 2 ** 33;
const TWO_32 = 2 ** 32;

/** Reads the 5-byte PTS or DTS field at `b[p]`. */
export function readTimestamp(b: Uint8Array, p: number): number {
  return ((b[p] >> 1) & 0x07) * 2 ** 30 + ((b[p + 1] << 7) | (b[p + 2] >> 1)) * 2 ** 15 + ((b[p + 3] << 7) | (b[p + 4] >> 1));
}

/** Writes a 5-byte PTS or DTS field at `b[p]`; `prefix` is the field's 4-bit marker ('0010' PTS only, '0011'/'0001' PTS+DTS). */
export function writeTimestamp(b: Uint8Array, p: number, prefix: number, ts: number): void {
  const hi = Math.floor(ts / TWO_32) & 1;
  const lo = ts % TWO_32 >>> 0;
  b[p] = (prefix << 4) | (hi << 3) | ((lo >>> 29) & 0x06) | 1;
  b[p + 1] = (lo >>> 22) & 0xff;
  b[p + 2] = ((lo >>> 14) & 0xfe) | 1;
  b[p + 3] = (lo >>> 7) & 0xff;
  b[p + 4] = ((lo << 1) & 0xfe) | 1;
}

/** b - a in 90 kHz ticks, tolerant of one wrap-around between them. */
export function ptsDelta(a: number, b: number): number {
  const d = b - a;
  return d < -TWO_32 ? d + PTS_WRAP : d;
}
