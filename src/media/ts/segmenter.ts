// Cuts an MPEG-TS byte stream into standalone segments at video keyframes, streaming each segment's bytes as they arrive.
import { isKeyframe } from './keyframes.js';
import { hasRandomAccess, isUnitStart, PAT_PID, pidOf, setContinuity, TS_PACKET_SIZE, TsPacketFramer } from './packets.js';
import { packetPes, packetPts } from './pes.js';
import { ProgramTables, type ProgramMap } from './psi.js';
import { ptsDelta } from './pts.js';
import type { EsCodec } from './stream-types.js';

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
  private readonly framer = new TsPacketFramer();
  private readonly tables = new ProgramTables();
  private videoPid = NO_PID;
  private videoCodec: EsCodec = 'other';
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
    // Consecutive ordinary packets of the chunk leave as one view.
    let runStart = -1;
    let runEnd = -1;
    const flush = () => {
      if (runStart >= 0) this.sink.onData(chunk.subarray(runStart, runEnd));
      runStart = -1;
    };
    this.framer.push(
      chunk,
      (buf, off) => {
        if (buf !== chunk) {
          // The packet that straddled two chunks: a copy of its own (the framer reuses its buffer).
          const packet = buf.slice(off, off + TS_PACKET_SIZE);
          if (this.isPlain(packet, 0)) this.sink.onData(packet);
          else this.handle(packet, 0);
        } else if (this.isPlain(chunk, off)) {
          if (runEnd !== off) {
            flush();
            runStart = off;
          }
          runEnd = off + TS_PACKET_SIZE;
        } else {
          flush();
          this.handle(chunk, off);
        }
      },
      flush,
    );
    flush();
    this.stats.garbageBytes = this.framer.garbageBytes;
  }

  /** Why: input is over: completes the last segment (a trailing partial packet is dropped). */
  end(): void {
    this.framer.end();
    this.stats.garbageBytes = this.framer.garbageBytes;
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
    if (this.tables.carries(pid)) return false;
    if (isUnitStart(b, off) && (pid === this.videoPid || (this.videoPid === NO_PID && pid === this.firstPid))) return false;
    return true;
  }

  /** Handles a packet that is not plain: PSI, a possible cut, or one before the first segment; emits what it keeps. */
  private handle(b: Uint8Array, off: number): void {
    const pid = pidOf(b, off);
    if (this.tables.carries(pid)) {
      const map = this.tables.push(b, off, pid);
      if (map) this.onProgram(map);
      // The latest table packets are repeated at the start of every segment.
      if (pid === PAT_PID) this.pat = b.slice(off, off + TS_PACKET_SIZE);
      else this.pmt = b.slice(off, off + TS_PACKET_SIZE);
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

  private onProgram(map: ProgramMap): void {
    const video = map.streams.find((s) => s.kind === 'video');
    this.videoPid = video?.pid ?? NO_PID;
    this.videoCodec = video?.codec ?? 'other';
    this.firstPid = map.streams[0]?.pid ?? NO_PID;
  }

  /** True when a new segment starts at this packet. */
  private isCut(b: Uint8Array, off: number, pid: number): boolean {
    if (!this.pmt || !isUnitStart(b, off)) return false;
    if (pid === this.videoPid) {
      if (!hasRandomAccess(b, off) && !this.startsKeyframe(b, off)) return false;
      return this.longEnough(b, off, this.minPts);
    }
    if (this.videoPid === NO_PID && pid === this.firstPid) return this.longEnough(b, off, this.audioPts);
    return false;
  }

  /** The bitstream's word, where the muxer set no random-access flag: judged from this first packet of the PES. */
  private startsKeyframe(b: Uint8Array, off: number): boolean {
    const pes = packetPes(b, off);
    return pes !== undefined && isKeyframe(b.subarray(pes.payload, off + TS_PACKET_SIZE), this.videoCodec);
  }

  private longEnough(b: Uint8Array, off: number, minPts: number): boolean {
    const pts = packetPts(b, off);
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
