// Cuts an MPEG-TS byte stream into standalone segments at video keyframes, streaming each segment's bytes as they arrive.
import {
  hasRandomAccess,
  isUnitStart,
  PAT_PID,
  parsePat,
  parsePmt,
  pesPts,
  pidOf,
  resync,
  ptsDelta,
  setContinuity,
  startsWithKeyframeNal,
  TS_PACKET_SIZE,
  TS_SYNC,
  type VideoCodec,
} from './ts-packets.js';

export interface TsSegmentSink {
  onSegmentStart(): void;
  /** Bytes of the current segment; the array may be a view of a pushed chunk (do not keep it past the chunk's life). */
  onData(bytes: Uint8Array): void;
  onSegmentEnd(): void;
}

export interface TsSegmenterOptions {
  /** Do not cut a segment shorter than this (PTS time); default 0 = cut at every keyframe. */
  minSegmentMs?: number;
  /** Without a video stream, cut every this much PTS time (default 2000). */
  audioSegmentMs?: number;
}

export interface TsSegmenterStats {
  segments: number;
  /** Bytes that were not part of a TS packet (resync). */
  garbageBytes: number;
  /** Packets dropped because no segment had started yet (before the first keyframe). */
  droppedPackets: number;
}

const NO_PID = -1;

/**
 * Streaming segmenter: `push()` chunks of any size; each segment begins with the latest PAT
 * and PMT (continuity counters renumbered so the concatenated output stays continuous) and
 * then a keyframe. Whole runs of ordinary packets are handed on as views of the pushed
 * chunk: nothing is copied on the hot path except a packet split across two chunks.
 */
export class TsSegmenter {
  readonly stats: TsSegmenterStats = { segments: 0, garbageBytes: 0, droppedPackets: 0 };
  private readonly carry = new Uint8Array(TS_PACKET_SIZE);
  private carryLen = 0;
  private pmtPid = NO_PID;
  private videoPid = NO_PID;
  private videoCodec: VideoCodec = 'other';
  private firstPid = NO_PID;
  private pat?: Uint8Array;
  private pmt?: Uint8Array;
  private patCc = 0;
  private pmtCc = 0;
  /** PSI packets seen since the last emitted packet; emitted before the next one (or replaced at a cut). */
  private heldPsi = false;
  private inSegment = false;
  private segmentPts = -1;
  private readonly minPts: number;
  private readonly audioPts: number;

  constructor(
    private readonly sink: TsSegmentSink,
    options: TsSegmenterOptions = {},
  ) {
    this.minPts = (options.minSegmentMs ?? 0) * 90;
    this.audioPts = (options.audioSegmentMs ?? 2000) * 90;
  }

  /** Why: feeds bytes in; segment events fire synchronously from inside this call. */
  push(chunk: Uint8Array): void {
    let off = 0;
    const end = chunk.length;
    if (this.carryLen > 0) {
      const n = Math.min(TS_PACKET_SIZE - this.carryLen, end);
      this.carry.set(chunk.subarray(0, n), this.carryLen);
      this.carryLen += n;
      off = n;
      if (this.carryLen < TS_PACKET_SIZE) return;
      this.carryLen = 0;
      if (off < end && chunk[off] !== TS_SYNC) {
        // The next packet does not follow: the carried bytes were garbage that happened to start with 0x47.
        this.stats.garbageBytes += TS_PACKET_SIZE;
      } else {
        const packet = this.carry.slice();
        if (this.isPlain(packet, 0)) this.sink.onData(packet);
        else this.handle(packet, 0);
      }
    }
    let run = -1;
    while (off + TS_PACKET_SIZE <= end) {
      if (chunk[off] !== TS_SYNC) {
        if (run >= 0) this.sink.onData(chunk.subarray(run, off));
        run = -1;
        const next = resync(chunk, off + 1);
        this.stats.garbageBytes += next - off;
        off = next;
        continue;
      }
      if (this.isPlain(chunk, off)) {
        if (run < 0) run = off;
      } else {
        if (run >= 0) this.sink.onData(chunk.subarray(run, off));
        run = -1;
        this.handle(chunk, off);
      }
      off += TS_PACKET_SIZE;
    }
    if (run >= 0) this.sink.onData(chunk.subarray(run, off));
    if (off < end) {
      const start = chunk[off] === TS_SYNC ? off : resync(chunk, off + 1);
      this.stats.garbageBytes += start - off;
      this.carry.set(chunk.subarray(start, end), 0);
      this.carryLen = end - start;
    }
  }

  /** Why: input is over: completes the last segment (a trailing partial packet is dropped). */
  end(): void {
    this.stats.garbageBytes += this.carryLen;
    this.carryLen = 0;
    if (this.inSegment) {
      this.flushPsi();
      this.inSegment = false;
      this.sink.onSegmentEnd();
    }
  }

  /** True for an ordinary packet of the current segment, which the caller emits as part of a run. */
  private isPlain(b: Uint8Array, off: number): boolean {
    if (!this.inSegment || this.heldPsi) return false;
    const pid = pidOf(b, off);
    if (pid === PAT_PID || pid === this.pmtPid) return false;
    if (isUnitStart(b, off) && (pid === this.videoPid || (this.videoPid === NO_PID && pid === this.firstPid))) return false;
    return true;
  }

  /** Handles a packet that is not plain: PSI, a possible cut, or one before the first segment; emits what it keeps. */
  private handle(b: Uint8Array, off: number): void {
    const pid = pidOf(b, off);
    if (pid === PAT_PID) {
      if (isUnitStart(b, off)) {
        const pmtPid = parsePat(b, off);
        if (pmtPid >= 0) this.pmtPid = pmtPid;
      }
      this.pat = b.slice(off, off + TS_PACKET_SIZE);
      this.heldPsi = true;
      return;
    }
    if (pid === this.pmtPid) {
      const map = isUnitStart(b, off) ? parsePmt(b, off) : undefined;
      if (map) {
        this.videoPid = map.videoPid;
        this.videoCodec = map.videoCodec;
        this.firstPid = map.firstPid;
      }
      this.pmt = b.slice(off, off + TS_PACKET_SIZE);
      this.heldPsi = true;
      return;
    }
    if (this.isCut(b, off, pid)) {
      if (this.inSegment) this.sink.onSegmentEnd();
      this.inSegment = true;
      this.stats.segments++;
      this.sink.onSegmentStart();
      this.heldPsi = true;
    } else if (!this.inSegment) {
      this.stats.droppedPackets++;
      return;
    }
    this.flushPsi();
    this.sink.onData(b.subarray(off, off + TS_PACKET_SIZE));
  }

  /** True when a new segment starts at this packet. */
  private isCut(b: Uint8Array, off: number, pid: number): boolean {
    if (!this.pmt || !isUnitStart(b, off)) return false;
    if (pid === this.videoPid) {
      if (!hasRandomAccess(b, off) && !startsWithKeyframeNal(b, off, this.videoCodec)) return false;
      return this.longEnough(b, off, this.minPts);
    }
    if (this.videoPid === NO_PID && pid === this.firstPid) return this.longEnough(b, off, this.audioPts);
    return false;
  }

  private longEnough(b: Uint8Array, off: number, minPts: number): boolean {
    const pts = pesPts(b, off);
    if (!this.inSegment || this.segmentPts < 0 || pts < 0 || minPts <= 0 || ptsDelta(this.segmentPts, pts) >= minPts) {
      if (pts >= 0 || !this.inSegment) this.segmentPts = pts;
      return true;
    }
    return false;
  }

  /** Emits fresh copies of the latest PAT and PMT with our own continuity counters. */
  private flushPsi(): void {
    if (!this.heldPsi) return;
    this.heldPsi = false;
    if (!this.inSegment) return;
    if (this.pat) {
      const pat = this.pat.slice();
      setContinuity(pat, 0, this.patCc++);
      this.sink.onData(pat);
    }
    if (this.pmt) {
      const pmt = this.pmt.slice();
      setContinuity(pmt, 0, this.pmtCc++);
      this.sink.onData(pmt);
    }
  }
}
