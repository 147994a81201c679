// CRC-32 with polynomial 0x04C11DB7, MSB first, no final xor: NUT uses it from 0, MPEG-TS PSI from 0xFFFFFFFF.

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** Continues a CRC over `buf[start, end)`; data followed by its own stored checksum yields 0. */
export function crc32(buf: Uint8Array, start = 0, end = buf.length, crc = 0): number {
  for (let i = start; i < end; i++) crc = (CRC_TABLE[((crc >>> 24) ^ buf[i]) & 0xff] ^ (crc << 8)) >>> 0;
  return crc;
}

/** The CRC an MPEG-TS PSI section carries (initial value 0xFFFFFFFF). */
export function mpegCrc32(buf: Uint8Array, start = 0, end = buf.length): number {
  return crc32(buf, start, end, 0xffffffff);
}
