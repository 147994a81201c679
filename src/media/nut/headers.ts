// Parses the bodies of NUT main headers, stream headers and syncpoints (what a reader must know).
import type { TimeBase } from '../frames.js';
import { ByteReader } from './bytes.js';
import { FLAG_INVALID } from './constants.js';

/** One of the 256 frame codes of the main header: defaults a frame header may override. */
export interface FrameCode {
  flags: number;
  streamId: number;
  sizeMul: number;
  sizeLsb: number;
  ptsDelta: number;
  reservedCount: number;
  headerIdx: number;
}

export interface MainHeader {
  version: number;
  streamCount: number;
  maxDistance: number;
  timeBases: TimeBase[];
  frameCodes: FrameCode[];
  /** Elision headers; index 0 is the empty header. */
  elision: Uint8Array[];
}

export type NutStreamKind = 'video' | 'audio' | 'subtitle' | 'data';

export interface NutStream {
  id: number;
  kind: NutStreamKind;
  /** The fourcc bytes as stored (e.g. 'R','G','B',24 for rgb24). */
  fourcc: Uint8Array;
  timeBase: TimeBase;
  msbPtsShift: number;
  /** Codec specific data (an encoder's global headers: SPS/PPS, AudioSpecificConfig, OpusHead). */
  extradata: Uint8Array;
  width?: number;
  height?: number;
  sampleRate?: number;
  channels?: number;
}

const KINDS: NutStreamKind[] = ['video', 'audio', 'subtitle', 'data'];

/** Reads a main header body (checksum already verified, `r.end` stops before it). */
export function parseMainHeader(r: ByteReader): MainHeader {
  const version = r.v();
  if (version < 2 || version > 4) throw new RangeError(`NUT version ${version} not supported`);
  if (version > 3) r.v(); // minor version
  const streamCount = r.v();
  if (streamCount < 1 || streamCount > 256) throw new RangeError(`NUT stream count ${streamCount} out of range`);
  const maxDistance = r.v();
  const tbCount = r.v();
  if (tbCount < 1 || tbCount > 1024) throw new RangeError(`NUT time base count ${tbCount} out of range`);
  const timeBases: TimeBase[] = [];
  for (let i = 0; i < tbCount; i++) {
    const num = r.v();
    const den = r.v();
    if (num <= 0 || den <= 0) throw new RangeError(`NUT time base ${num}/${den} invalid`);
    timeBases.push({ num, den });
  }
  const frameCodes: FrameCode[] = new Array(256);
  // pts, mul, stream and header index carry over from one table entry to the next; size and reserved do not.
  let ptsDelta = 0;
  let sizeMul = 1;
  let streamId = 0;
  let headerIdx = 0;
  for (let i = 0; i < 256; ) {
    const flags = r.v();
    let fields = r.v();
    if (fields > 0) ptsDelta = r.s();
    if (fields > 1) sizeMul = r.v();
    if (fields > 2) streamId = r.v();
    const sizeLsb = fields > 3 ? r.v() : 0;
    const reservedCount = fields > 4 ? r.v() : 0;
    const count = fields > 5 ? r.v() : sizeMul - sizeLsb;
    if (fields > 6) r.s(); // match_time_delta
    if (fields > 7) headerIdx = r.v();
    for (; fields > 8; fields--) r.v();
    if (count <= 0 || count > 256 - (i <= 0x4e ? 1 : 0) - i) throw new RangeError(`NUT frame code count ${count} at ${i} invalid`);
    if (streamId >= streamCount) throw new RangeError(`NUT frame code stream ${streamId} >= ${streamCount}`);
    for (let j = 0; j < count; j++, i++) {
      if (i === 0x4e) {
        frameCodes[i] = { flags: FLAG_INVALID, streamId: 0, sizeMul: 1, sizeLsb: 0, ptsDelta: 0, reservedCount: 0, headerIdx: 0 };
        j--;
        continue;
      }
      frameCodes[i] = { flags, streamId, sizeMul, sizeLsb: sizeLsb + j, ptsDelta, reservedCount, headerIdx };
    }
  }
  const elision: Uint8Array[] = [new Uint8Array(0)];
  if (r.left > 0) {
    const headerCount = r.v() + 1;
    for (let i = 1; i < headerCount; i++) elision.push(r.vb().slice());
  }
  return { version, streamCount, maxDistance, timeBases, frameCodes, elision };
}

/** Reads a stream header body. */
export function parseStreamHeader(r: ByteReader, main: MainHeader): NutStream {
  const id = r.v();
  if (id >= main.streamCount) throw new RangeError(`NUT stream id ${id} >= ${main.streamCount}`);
  const cls = r.v();
  const kind = KINDS[cls];
  if (!kind) throw new RangeError(`NUT stream class ${cls} unknown`);
  const fourcc = r.vb().slice();
  const tbId = r.v();
  const timeBase = main.timeBases[tbId];
  if (!timeBase) throw new RangeError(`NUT time base id ${tbId} out of range`);
  const msbPtsShift = r.v();
  if (msbPtsShift >= 16) throw new RangeError(`NUT msb_pts_shift ${msbPtsShift} too large`);
  r.v(); // max_pts_distance
  r.v(); // decode_delay
  r.v(); // stream_flags
  const extradata = r.vb().slice();
  const stream: NutStream = { id, kind, fourcc, timeBase, msbPtsShift, extradata };
  if (kind === 'video') {
    stream.width = r.v();
    stream.height = r.v();
  } else if (kind === 'audio') {
    const num = r.v();
    const den = r.v() || 1;
    stream.sampleRate = num / den;
    stream.channels = r.v();
  }
  return stream;
}

/** Reads a syncpoint body: the global key pts as a value in one of the main header's time bases. */
export function parseSyncpoint(r: ByteReader, main: MainHeader): { pts: number; timeBase: TimeBase } {
  const t = r.v();
  const n = main.timeBases.length;
  r.v(); // back_ptr_div16
  return { pts: Math.floor(t / n), timeBase: main.timeBases[t % n] };
}

/** Rescales `pts` from one time base to another, rounding down, exactly (BigInt). */
export function rescaleDown(pts: number, from: TimeBase, to: TimeBase): number {
  const num = BigInt(pts) * BigInt(from.num) * BigInt(to.den);
  const den = BigInt(from.den) * BigInt(to.num);
  let q = num / den;
  if (num % den !== 0n && num < 0n) q -= 1n;
  return Number(q);
}
