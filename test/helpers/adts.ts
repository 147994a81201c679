// ADTS frames (AAC in MPEG-TS) made up for tests: real headers, filler bodies.

/** One ADTS frame (AAC LC, no CRC) of `body` bytes at sampling-frequency index `rateIndex`, `blocks` raw data blocks. */
export function adtsFrame(body: number, rateIndex = 3, blocks = 1): Uint8Array {
  const len = body + 7;
  const f = new Uint8Array(len).fill(0x21);
  f.set([0xff, 0xf1, (1 << 6) | (rateIndex << 2), (2 << 6) | (len >> 11), (len >> 3) & 0xff, ((len & 7) << 5) | 0x1f, 0xfc | (blocks - 1)]);
  return f;
}
