// Minimal NUT muxer with exact per-frame pts: rawvideo (rgb24, rgba, yuv420p, gray) + pcm_f32le (the encoder's stdin) or
// compressed video (the decoder's stdin).
import type { TimeBase } from '../frames.js';
import { nutFourcc, type PixelFormat } from '../pixel-format.js';
import { ByteWriter, crc32 } from './bytes.js';
import {
  FLAG_CHECKSUM,
  FLAG_CODED_PTS,
  FLAG_INVALID,
  FLAG_KEY,
  FLAG_SIZE_MSB,
  FLAG_STREAM_ID,
  FOURCC_F32LE,
  HEADER_CHECKSUM_THRESHOLD,
  NUT_FILE_ID,
  STARTCODE,
  STREAM_CLASS,
  type StartcodeKind,
} from './constants.js';

export type NutMuxStream =
  /** Raw video in `format` (default rgb24) unless `fourcc` names a compressed codec (its decoder's FourCC, e.g. 'H264'). */
  | { kind: 'video'; width: number; height: number; format?: PixelFormat; fourcc?: string; extradata?: Uint8Array }
  | { kind: 'audio'; sampleRate: number; channels: number };

/** Every stream shares this time base, so pts go through unchanged. */
const MSB_PTS_SHIFT = 7;

/**
 * Writes NUT as a list of byte pieces (headers are small copies, frame data is passed through
 * untouched). Every frame gets its own syncpoint and a fully coded pts, which keeps the
 * writer stateless and lets ffmpeg resync anywhere; the cost is ~20 bytes a frame.
 */
export class NutMuxer {
  /** A frame's syncpoint and frame header, and the syncpoint's body: reused for every frame. */
  private readonly frameOut = new ByteWriter();
  private readonly syncBody = new ByteWriter();

  constructor(
    readonly streams: readonly NutMuxStream[],
    readonly timeBase: TimeBase = { num: 1, den: 90_000 },
  ) {
    if (streams.length === 0) throw new RangeError('a NUT file needs at least one stream');
  }

  /** File id, main header and stream headers: written once before any frame. */
  header(): Uint8Array {
    const w = new ByteWriter().bytes(NUT_FILE_ID);
    const main = new ByteWriter()
      .v(3) // version
      .v(this.streams.length)
      .v(65536) // max_distance
      .v(1)
      .v(this.timeBase.num)
      .v(this.timeBase.den);
    // Code 0: key frame, stream id, coded pts, size (lsb 0, mul 1) and a header checksum all
    // explicit; code 1: the same for a frame that is not a keyframe. Codes 2..255 are invalid
    // ('N' is invalid implicitly).
    const flags1 = FLAG_STREAM_ID | FLAG_CODED_PTS | FLAG_SIZE_MSB | FLAG_CHECKSUM;
    main.v(flags1 | FLAG_KEY).v(6).s(0).v(1).v(0).v(0).v(0).v(1);
    main.v(flags1).v(6).s(0).v(1).v(0).v(0).v(0).v(1);
    main.v(FLAG_INVALID).v(6).s(0).v(1).v(0).v(0).v(0).v(253);
    main.v(0); // header_count_minus1: ffmpeg rejects every frame unless this is present
    packet(w, 'main', main.view());
    this.streams.forEach((s, id) => {
      const b = new ByteWriter().v(id);
      if (s.kind === 'video') b.v(STREAM_CLASS.video).vb(s.fourcc ? new TextEncoder().encode(s.fourcc) : nutFourcc(s.format ?? 'rgb24'));
      else b.v(STREAM_CLASS.audio).vb(FOURCC_F32LE);
      b.v(0) // time base id
        .v(MSB_PTS_SHIFT)
        .v(0x7fffffff) // max_pts_distance: every frame header carries a checksum anyway
        .v(0) // decode delay
        .v(0) // stream flags
        .vb(s.kind === 'video' && s.extradata ? s.extradata : new Uint8Array(0)); // codec specific data
      if (s.kind === 'video') b.v(s.width).v(s.height).v(0).v(0).v(0);
      else b.v(s.sampleRate).v(1).v(s.channels);
      packet(w, 'stream', b.view());
    });
    return w.view().slice();
  }

  /** Syncpoint + frame header for one frame; write it, then `data`, to the stream. */
  frameHeader(stream: number, pts: number, size: number, key = true): Uint8Array {
    if (!Number.isSafeInteger(pts) || pts < 0) throw new RangeError(`NUT pts must be a non-negative integer, got ${pts}`);
    if (stream < 0 || stream >= this.streams.length) throw new RangeError(`no stream ${stream}`);
    const w = this.frameOut.clear();
    packet(w, 'syncpoint', this.syncBody.clear().v(pts).v(0).view());
    const start = w.length;
    w.u8(key ? 0 : 1).v(stream).v(pts + 2 ** MSB_PTS_SHIFT).v(size);
    w.u32(crc32(w.view(), start));
    return w.view().slice();
  }
}

/** Appends startcode, forward pointer (+ header checksum), body and body checksum. */
function packet(w: ByteWriter, kind: StartcodeKind, body: Uint8Array): void {
  const start = w.length;
  const [hi, lo] = STARTCODE[kind];
  const forward = body.length + 4;
  w.u32(hi).u32(lo).v(forward);
  if (forward > HEADER_CHECKSUM_THRESHOLD) w.u32(crc32(w.view(), start));
  const bodyStart = w.length;
  w.bytes(body);
  w.u32(crc32(w.view(), bodyStart));
}
