// Streaming MPEG-TS demuxer: bytes in; the program map and whole PES packets out, each the moment it is complete.
//
// Why our own: ffmpeg's MPEG-TS reader hands a video PES on only when the next one starts (video
// PES carry no length), and its H.264 parser then waits for the next access unit too: two frame
// intervals (~66 ms at 30 fps) before decoding can begin. Here a PES is complete when
//   - its PES_packet_length is reached (audio, small video frames), or
//   - its last transport packet arrives: a packet padded with adaptation-field stuffing, which a
//     muxer writes only when it has no more bytes for that PES (ffmpeg's muxer, and so go-livepeer,
//     OBS and gstreamer); or
//   - the next PES of the same PID starts (any other muxer).
// Should stuffing ever show up mid-PES (a muxer we have not met), the rest of that PES is dropped
// and counted, and that PID falls back to waiting for the next PES.
import { isUnitStart, payloadOffset, pidOf, TS_PACKET_SIZE, TsPacketFramer } from './packets.js';
import { readPesHeader, type PesHeader } from './pes.js';
import { ProgramTables, type ElementaryStream, type ProgramMap } from './psi.js';

export interface PesPacket {
  stream: ElementaryStream;
  /** The PES stream_id (0xE0 video, 0xC0 audio, 0xBD private …). */
  streamId: number;
  pts?: number;
  dts?: number;
  /** The PES payload (one access unit for video), in a buffer of its own. */
  data: Uint8Array;
  /** random_access_indicator was set on its first packet (a keyframe, by the muxer's word). */
  randomAccess: boolean;
  /** Transport packets were missing inside it (continuity counter gap). */
  damaged: boolean;
}

export type TsDemuxEvent = { type: 'program'; program: TsProgram } | { type: 'pes'; pes: PesPacket };

/** The program as the latest PMT describes it, with the streams we read picked out. */
export interface TsProgram extends ProgramMap {
  pmtPid: number;
  video?: ElementaryStream;
  audio?: ElementaryStream;
}

export interface TsDemuxerStats {
  /** Bytes that were not part of a transport packet (resync). */
  garbageBytes: number;
  /** Continuity counter gaps on the streams we read. */
  discontinuities: number;
  /** PES bytes dropped because stuffing came before the end of their PES (see the top of this file). */
  earlyEndMistakes: number;
}

interface Assembly {
  stream: ElementaryStream;
  buf: Uint8Array;
  len: number;
  header?: PesHeader;
  /** Collecting a PES right now. */
  open: boolean;
  /** The current PES was handed out at stuffing, before the next PES start confirmed its end. */
  endedEarly: boolean;
  earlyEnd: boolean;
  randomAccess: boolean;
  damaged: boolean;
  cc: number;
  /** The last packet taken on this PID: a duplicate is the same bytes again, not merely the same counter. */
  last: Uint8Array;
}

const INITIAL_PES_BUFFER = 16 * 1024;

/** Pushes chunks of any size; returns what each completed, in stream order. */
export class TsDemuxer {
  readonly stats: TsDemuxerStats = { garbageBytes: 0, discontinuities: 0, earlyEndMistakes: 0 };
  /** The current program, once a PAT and its PMT were read. */
  program?: TsProgram;
  private readonly framer = new TsPacketFramer();
  private readonly tables = new ProgramTables();
  private readonly assemblies = new Map<number, Assembly>();
  private out: TsDemuxEvent[] = [];

  push(chunk: Uint8Array): TsDemuxEvent[] {
    this.out = [];
    this.framer.push(chunk, (b, off) => this.packet(b, off));
    this.stats.garbageBytes = this.framer.garbageBytes;
    return this.out;
  }

  /** End of input: hands out the PES still being collected. */
  end(): TsDemuxEvent[] {
    this.out = [];
    this.framer.end();
    this.stats.garbageBytes = this.framer.garbageBytes;
    for (const a of this.assemblies.values()) if (a.open) this.complete(a);
    return this.out;
  }

  private packet(b: Uint8Array, off: number): void {
    if (b[off + 1] & 0x80) return; // transport_error_indicator: the packet is known bad
    const pid = pidOf(b, off);
    if (this.tables.carries(pid)) {
      const map = this.tables.push(b, off, pid);
      if (map) this.onProgram(map);
      return;
    }
    const a = this.assemblies.get(pid);
    if (a) this.pesPacket(a, b, off, payloadOffset(b, off), isUnitStart(b, off));
  }

  private onProgram(map: ProgramMap): void {
    const program: TsProgram = { ...map, pmtPid: this.tables.pmtPid, video: map.streams.find((s) => s.kind === 'video'), audio: map.streams.find((s) => s.kind === 'audio') };
    // Streams that stay (same PID and type) keep collecting; others start over.
    const keep = new Map<number, Assembly>();
    for (const s of [program.video, program.audio]) {
      if (!s) continue;
      const old = this.assemblies.get(s.pid);
      if (old && old.stream.streamType === s.streamType) {
        old.stream = s;
        keep.set(s.pid, old);
      } else keep.set(s.pid, newAssembly(s));
    }
    for (const [pid, a] of this.assemblies) if (!keep.has(pid) && a.open) this.complete(a);
    this.assemblies.clear();
    for (const [pid, a] of keep) this.assemblies.set(pid, a);
    this.program = program;
    this.out.push({ type: 'program', program });
  }

  private pesPacket(a: Assembly, b: Uint8Array, off: number, p: number, start: boolean): void {
    const afc = (b[off + 3] >> 4) & 3;
    const cc = b[off + 3] & 0x0f;
    const af = afc & 2 ? b[off + 4] : -1;
    const discontinuityFlag = af > 0 && (b[off + 5] & 0x80) !== 0;
    if (afc & 1) {
      if (a.cc >= 0 && !discontinuityFlag) {
        // A duplicate packet (allowed once by the standard). Another packet with the same counter
        // (a second stream spliced on, say) is a discontinuity, and its data is kept.
        if (cc === a.cc && Buffer.compare(a.last, b.subarray(off, off + TS_PACKET_SIZE)) === 0) return;
        if (cc !== ((a.cc + 1) & 0x0f)) {
          this.stats.discontinuities++;
          a.damaged = true;
        }
      }
      a.cc = cc;
      a.last.set(b.subarray(off, off + TS_PACKET_SIZE));
    }
    if (start) {
      if (a.open) this.complete(a);
      a.open = true;
      a.endedEarly = false;
      a.len = 0;
      a.header = undefined;
      a.damaged = false;
      a.randomAccess = af > 0 && (b[off + 5] & 0x40) !== 0;
    } else if (!a.open) {
      if (a.endedEarly && p >= 0) {
        // Stuffing was not the end of that PES after all: stop trusting it on this PID.
        a.earlyEnd = false;
        a.endedEarly = false;
        this.stats.earlyEndMistakes++;
      }
      return;
    }
    if (p < 0) return;
    this.append(a, b.subarray(p, off + TS_PACKET_SIZE));
    if (!a.header) {
      const h = readPesHeader(a.buf, a.len);
      if (h === null) {
        a.open = false; // not a PES: wait for the next unit start
        return;
      }
      if (!h) return;
      a.header = h;
    }
    const h = a.header;
    if (h.packetLength > 0) {
      if (a.len >= h.packetLength + 6) this.complete(a);
    } else if (a.earlyEnd && af >= 0 && hasStuffing(b, off)) {
      this.complete(a);
      a.endedEarly = true;
    }
  }

  private append(a: Assembly, data: Uint8Array): void {
    if (a.len + data.length > a.buf.length) {
      const grown = new Uint8Array(Math.max(a.buf.length * 2, a.len + data.length));
      grown.set(a.buf.subarray(0, a.len));
      a.buf = grown;
    }
    a.buf.set(data, a.len);
    a.len += data.length;
  }

  /** Hands out the PES being collected and gives the assembly a fresh buffer (the old one now belongs to the event). */
  private complete(a: Assembly): void {
    a.open = false;
    const h = a.header;
    if (!h) return;
    const end = h.packetLength > 0 ? Math.min(a.len, h.packetLength + 6) : a.len;
    const data = a.buf.subarray(h.payloadStart, end);
    // The next buffer starts at about this one's size: frames of a stream are alike.
    a.buf = new Uint8Array(Math.max(INITIAL_PES_BUFFER, a.len + (a.len >> 2)));
    a.len = 0;
    a.header = undefined;
    this.out.push({ type: 'pes', pes: { stream: a.stream, streamId: h.streamId, pts: h.pts, dts: h.dts, data, randomAccess: a.randomAccess, damaged: a.damaged } });
  }
}

function newAssembly(stream: ElementaryStream): Assembly {
  return { stream, buf: new Uint8Array(INITIAL_PES_BUFFER), len: 0, open: false, endedEarly: false, earlyEnd: true, randomAccess: false, damaged: false, cc: -1, last: new Uint8Array(TS_PACKET_SIZE) };
}

/** True when the packet's adaptation field is (also) padding: stuffing bytes beyond the fields its flags announce. */
function hasStuffing(b: Uint8Array, off: number): boolean {
  const len = b[off + 4];
  if (len === 0) return true; // a lone length byte: one byte of padding
  const flags = b[off + 5];
  if (flags === 0) return true; // a field that says nothing is there to pad (two bytes' worth, or more)
  let used = 1;
  if (flags & 0x10) used += 6; // PCR
  if (flags & 0x08) used += 6; // OPCR
  if (flags & 0x04) used += 1; // splice countdown
  if (flags & 0x02 && 1 + used < len + 1) used += 1 + b[off + 5 + used]; // private data
  if (flags & 0x01 && 1 + used < len + 1) used += 1 + b[off + 5 + used]; // extension
  return len > used;
}
