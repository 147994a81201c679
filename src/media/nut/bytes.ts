// NUT's primitive codings: v/s varints, vb strings, u(32); its CRC-32 is the one MPEG-TS PSI uses too.

export { crc32 } from '../crc32.js';

/** Thrown by ByteReader when the buffer ends mid-structure: the caller waits for more input. */
export const NEED_MORE: unique symbol = Symbol('need more bytes');

/**
 * A cursor over one buffer that reads NUT codings and throws NEED_MORE at the end. A demuxer keeps
 * its readers and points them at each packet (reset) rather than making one a packet: V8's
 * memory-reducing collections drop the shapes of objects none of which is alive at that moment,
 * and every optimized function that read such an object is thrown away with them.
 */
export class ByteReader {
  constructor(
    public buf: Uint8Array,
    public pos = 0,
    public end = buf.length,
  ) {}

  /** Points the reader at `buf[pos, end)`. */
  reset(buf: Uint8Array, pos = 0, end = buf.length): this {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    return this;
  }

  get left(): number {
    return this.end - this.pos;
  }

  u8(): number {
    if (this.pos >= this.end) throw NEED_MORE;
    return this.buf[this.pos++];
  }

  u32(): number {
    if (this.pos + 4 > this.end) throw NEED_MORE;
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
  }

  /** Unsigned varint: 7 bits a byte, high bit set on all but the last byte. */
  v(): number {
    let value = 0;
    for (let n = 0; n < 10; n++) {
      const byte = this.u8();
      value = value * 128 + (byte & 0x7f);
      if (!(byte & 0x80)) return value;
    }
    throw new RangeError('NUT varint longer than 10 bytes');
  }

  /** Signed varint: v mapped 0,1,2,3,4 → 0,1,-1,2,-2. */
  s(): number {
    const t = this.v() + 1;
    const half = Math.floor(t / 2);
    return t % 2 === 1 && half !== 0 ? -half : half;
  }

  /** Length-prefixed bytes (a view into the buffer). */
  vb(): Uint8Array {
    const len = this.v();
    if (this.pos + len > this.end) throw NEED_MORE;
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  skip(n: number): void {
    if (this.pos + n > this.end) throw NEED_MORE;
    this.pos += n;
  }
}

/**
 * An append-only byte builder for NUT headers (small: headers only, never frame data). A muxer
 * keeps the writers it needs for every frame and empties them (clear), for the reason given at
 * ByteReader.
 */
export class ByteWriter {
  private buf = new Uint8Array(256);
  length = 0;

  /** Empties the writer (its buffer is kept). */
  clear(): this {
    this.length = 0;
    return this;
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  bytes(data: Uint8Array): this {
    this.room(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
    return this;
  }

  u8(x: number): this {
    this.room(1);
    this.buf[this.length++] = x & 0xff;
    return this;
  }

  u32(x: number): this {
    this.room(4);
    this.buf[this.length++] = (x >>> 24) & 0xff;
    this.buf[this.length++] = (x >>> 16) & 0xff;
    this.buf[this.length++] = (x >>> 8) & 0xff;
    this.buf[this.length++] = x & 0xff;
    return this;
  }

  v(x: number): this {
    if (!Number.isSafeInteger(x) || x < 0) throw new RangeError(`NUT v() needs a non-negative integer, got ${x}`);
    const groups: number[] = [];
    do {
      groups.push(x % 128);
      x = Math.floor(x / 128);
    } while (x > 0);
    this.room(groups.length);
    for (let i = groups.length - 1; i >= 0; i--) this.buf[this.length++] = groups[i] | (i > 0 ? 0x80 : 0);
    return this;
  }

  s(x: number): this {
    return this.v(x > 0 ? 2 * x - 1 : -2 * x);
  }

  vb(data: Uint8Array): this {
    return this.v(data.length).bytes(data);
  }

  /** The bytes written so far (a view; valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
