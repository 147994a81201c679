// Streaming NUT demuxer: push byte chunks in, get packets (stream, pts, key, data) out.
import { ByteReader, crc32, NEED_MORE } from './bytes.js';
import {
  FLAG_CHECKSUM,
  FLAG_CODED,
  FLAG_CODED_PTS,
  FLAG_HEADER_IDX,
  FLAG_INVALID,
  FLAG_KEY,
  FLAG_MATCH_TIME,
  FLAG_RESERVED,
  FLAG_SIZE_MSB,
  FLAG_SM_DATA,
  FLAG_STREAM_ID,
  HEADER_CHECKSUM_THRESHOLD,
  NUT_FILE_ID,
  startcodeKind,
} from './constants.js';
import { parseMainHeader, parseStreamHeader, parseSyncpoint, rescaleDown, type MainHeader, type NutStream } from './headers.js';
import { stripSideData } from './side-data.js';

export interface NutPacket {
  stream: number;
  /** In the stream's own time base (see NutDemuxer.streams[stream].timeBase). */
  pts: number;
  key: boolean;
  /** A view into the pushed chunk when the frame lay inside it, else one assembled buffer. */
  data: Uint8Array;
  /** Size carried in side data (NUT v4 parameter change), when present. */
  width?: number;
  height?: number;
}

/** Room for the largest header (main headers with elision tables are a few KiB). */
const SCRATCH_BYTES = 256 * 1024;
const EMPTY = new Uint8Array(0);

/** Thrown for bytes that are not valid NUT; callers map it to TRICKLE_BAD_MEDIA. */
export class NutFormatError extends Error {
  override name = 'NutFormatError';
}

interface Filling {
  packet: NutPacket;
  filled: number;
  sm: boolean;
}

/** Reads NUT incrementally; `push` returns the packets the chunk completed, in file order. */
export class NutDemuxer {
  /**
   * @param alloc where frames that span chunks are assembled (default: a new buffer each); the
   * decoder passes its frame pool.
   */
  constructor(private readonly alloc: (size: number) => Uint8Array = (size) => Buffer.allocUnsafeSlow(size)) {}

  main?: MainHeader;
  readonly streams: NutStream[] = [];
  private seenId = false;
  private carry: Uint8Array | null = null;
  private fill: Filling | null = null;
  private lastPts: number[] = [];
  /** Read-into mode: headers and small frames land here; frames are then copied out of it. */
  private scratch?: Uint8Array;
  private scratchLen = 0;
  /** A packet's header and a startcode packet's body: pointed at each packet in turn. */
  private readonly head = new ByteReader(EMPTY);
  private readonly body = new ByteReader(EMPTY);

  /** True once the main header and every stream header have been read. */
  get ready(): boolean {
    return this.main !== undefined && this.streams.length === this.main.streamCount && !this.streams.includes(undefined as never);
  }

  /** Feeds one chunk; returns the packets it completed. Throws NutFormatError on corrupt input. */
  push(chunk: Uint8Array): NutPacket[] {
    const out: NutPacket[] = [];
    let buf = chunk;
    let pos = 0;
    if (this.fill) {
      pos = this.continueFill(buf, out);
      if (pos >= buf.length) return out;
    }
    if (this.carry) {
      const joined = new Uint8Array(this.carry.length + buf.length - pos);
      joined.set(this.carry);
      joined.set(buf.subarray(pos), this.carry.length);
      this.carry = null;
      buf = joined;
      pos = 0;
    }
    while (pos < buf.length) {
      try {
        pos = this.step(buf, pos, out);
      } catch (err) {
        if (err !== NEED_MORE) throw err instanceof NutFormatError ? err : new NutFormatError((err as Error).message);
        this.carry = buf.subarray(pos);
        break;
      }
    }
    return out;
  }

  /**
   * Read-into mode, instead of push(): where the next bytes read should go. While a frame is being
   * filled that is the rest of its own buffer (so a read lands in place, no copy); otherwise a
   * scratch area for headers. Pass the byte count to commit() after each read.
   */
  nextBuffer(): Uint8Array {
    if (this.fill) return this.fill.packet.data.subarray(this.fill.filled);
    this.scratch ??= new Uint8Array(SCRATCH_BYTES);
    if (this.scratchLen === this.scratch.length) throw new NutFormatError(`NUT header larger than ${SCRATCH_BYTES} bytes`);
    return this.scratch.subarray(this.scratchLen);
  }

  /** `n` bytes were written where nextBuffer() pointed; returns the packets they completed. */
  commit(n: number): NutPacket[] {
    const out: NutPacket[] = [];
    const f = this.fill;
    if (f) {
      f.filled += n;
      if (f.filled === f.packet.data.length) {
        this.fill = null;
        out.push(this.finish(f.packet, f.sm));
      }
      return out;
    }
    const scratch = this.scratch!;
    this.scratchLen += n;
    const buf = scratch.subarray(0, this.scratchLen);
    let pos = 0;
    while (pos < buf.length && !this.fill) {
      try {
        pos = this.step(buf, pos, out);
      } catch (err) {
        if (err !== NEED_MORE) throw err instanceof NutFormatError ? err : new NutFormatError((err as Error).message);
        break;
      }
    }
    scratch.copyWithin(0, pos, this.scratchLen);
    this.scratchLen -= pos;
    return out;
  }

  /** Bytes still held for an unfinished packet at end of input (0 when the stream ended cleanly). */
  get pending(): number {
    return (this.carry?.length ?? 0) + this.scratchLen + (this.fill ? this.fill.filled : 0);
  }

  private continueFill(buf: Uint8Array, out: NutPacket[]): number {
    const f = this.fill!;
    const n = Math.min(f.packet.data.length - f.filled, buf.length);
    f.packet.data.set(buf.subarray(0, n), f.filled);
    f.filled += n;
    if (f.filled === f.packet.data.length) {
      this.fill = null;
      out.push(this.finish(f.packet, f.sm));
    }
    return n;
  }

  /** Parses one unit at `pos` (file id, startcode packet or frame); returns the position after it. */
  private step(buf: Uint8Array, pos: number, out: NutPacket[]): number {
    if (!this.seenId) {
      if (buf.length - pos < NUT_FILE_ID.length) throw NEED_MORE;
      for (let i = 0; i < NUT_FILE_ID.length; i++) {
        if (buf[pos + i] !== NUT_FILE_ID[i]) throw new NutFormatError('not a NUT stream (file id string missing)');
      }
      this.seenId = true;
      return pos + NUT_FILE_ID.length;
    }
    return buf[pos] === 0x4e ? this.startcodePacket(buf, pos) : this.frame(buf, pos, out);
  }

  private startcodePacket(buf: Uint8Array, pos: number): number {
    const r = this.head.reset(buf, pos);
    const hi = r.u32();
    const lo = r.u32();
    const kind = startcodeKind(hi, lo);
    if (!kind) throw new NutFormatError(`unknown NUT startcode 0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}`);
    const forward = r.v();
    if (forward > HEADER_CHECKSUM_THRESHOLD) {
      const headerEnd = r.pos;
      const stored = r.u32();
      if (crc32(buf, pos, headerEnd) !== stored) throw new NutFormatError(`NUT ${kind} packet header checksum mismatch`);
    }
    if (forward < 4) throw new NutFormatError(`NUT ${kind} packet too short`);
    if (r.left < forward) throw NEED_MORE;
    const bodyStart = r.pos;
    const end = bodyStart + forward;
    if (crc32(buf, bodyStart, end) !== 0) throw new NutFormatError(`NUT ${kind} packet checksum mismatch`);
    const body = this.body.reset(buf, bodyStart, end - 4);
    if (kind === 'main') {
      if (!this.main) this.main = parseMainHeader(body);
    } else if (kind === 'stream') {
      if (!this.main) throw new NutFormatError('NUT stream header before main header');
      const stream = parseStreamHeader(body, this.main);
      if (!this.streams[stream.id]) this.streams[stream.id] = stream;
      this.lastPts[stream.id] = 0;
    } else if (kind === 'syncpoint') {
      if (!this.ready) throw new NutFormatError('NUT syncpoint before all stream headers');
      const sp = parseSyncpoint(body, this.main!);
      for (const s of this.streams) this.lastPts[s.id] = rescaleDown(sp.pts, sp.timeBase, s.timeBase);
    }
    // info and index packets carry nothing we need.
    return end;
  }

  private frame(buf: Uint8Array, pos: number, out: NutPacket[]): number {
    const main = this.main;
    if (!main || !this.ready) throw new NutFormatError('NUT frame before headers');
    const r = this.head.reset(buf, pos);
    const code = main.frameCodes[r.u8()];
    let flags = code.flags;
    if (flags & FLAG_INVALID) throw new NutFormatError(`invalid NUT frame code ${buf[pos]}`);
    if (flags & FLAG_CODED) flags ^= r.v();
    const streamId = flags & FLAG_STREAM_ID ? r.v() : code.streamId;
    const stream = this.streams[streamId];
    if (!stream) throw new NutFormatError(`NUT frame for unknown stream ${streamId}`);
    let pts: number;
    if (flags & FLAG_CODED_PTS) {
      const coded = r.v();
      const range = 2 ** stream.msbPtsShift;
      if (coded >= range) pts = coded - range;
      else {
        const delta = this.lastPts[streamId] - Math.floor((range - 1) / 2);
        pts = ((((coded - delta) % range) + range) % range) + delta;
      }
    } else pts = this.lastPts[streamId] + code.ptsDelta;
    let size = code.sizeLsb;
    if (flags & FLAG_SIZE_MSB) size += code.sizeMul * r.v();
    if (flags & FLAG_MATCH_TIME) r.s();
    let headerIdx = code.headerIdx;
    if (flags & FLAG_HEADER_IDX) headerIdx = r.v();
    const reserved = flags & FLAG_RESERVED ? r.v() : code.reservedCount;
    for (let i = 0; i < reserved; i++) r.v();
    if (headerIdx >= main.elision.length) throw new NutFormatError(`NUT header index ${headerIdx} out of range`);
    if (size > 4096) headerIdx = 0;
    const prefix = main.elision[headerIdx];
    size -= prefix.length;
    if (size < 0) throw new NutFormatError('NUT frame smaller than its elision header');
    if (flags & FLAG_CHECKSUM) {
      const headerEnd = r.pos;
      if (crc32(buf, pos, headerEnd) !== r.u32()) throw new NutFormatError('NUT frame header checksum mismatch');
    }
    this.lastPts[streamId] = pts;
    const start = r.pos;
    const key = (flags & FLAG_KEY) !== 0;
    const sm = (flags & FLAG_SM_DATA) !== 0;
    // A view into the chunk, unless the bytes are in our scratch area (overwritten by the next read).
    if (prefix.length === 0 && start + size <= buf.length && buf.buffer !== this.scratch?.buffer) {
      out.push(this.finish({ stream: streamId, pts, key, data: buf.subarray(start, start + size) }, sm));
      return start + size;
    }
    // Uninitialised: every byte is overwritten by the frame (zero-filling would cost as much as the copy).
    const data = this.alloc(prefix.length + size);
    data.set(prefix);
    const have = Math.min(size, buf.length - start);
    data.set(buf.subarray(start, start + have), prefix.length);
    const packet: NutPacket = { stream: streamId, pts, key, data };
    if (have === size) out.push(this.finish(packet, sm));
    else this.fill = { packet, filled: prefix.length + have, sm };
    return start + have;
  }

  private finish(packet: NutPacket, sm: boolean): NutPacket {
    return sm ? stripSideData(packet) : packet;
  }
}
