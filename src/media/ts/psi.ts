// MPEG-TS program tables: reassembling PAT/PMT sections from packets, following the program they describe, and writing our own.
import { mpegCrc32 } from '../crc32.js';
import { isUnitStart, PAT_PID, payloadOffset, TS_PACKET_SIZE } from './packets.js';
import { esType, type EsCodec, type EsKind } from './stream-types.js';

const TABLE_PAT = 0x00;
const TABLE_PMT = 0x02;
/** A section is at most 1021 bytes after its 3-byte header (ISO 13818-1). */
const MAX_SECTION = 1024;

export interface ElementaryStream {
  pid: number;
  streamType: number;
  /** The ES_info descriptors exactly as the PMT carried them (kept when re-muxing). */
  descriptors: Uint8Array;
  kind: EsKind;
  codec: EsCodec;
}

export interface ProgramMap {
  programNumber: number;
  pcrPid: number;
  streams: ElementaryStream[];
}

/** Collects one PSI section at a time from the payloads of one PID (sections may span packets). */
export class SectionAssembler {
  private buf = new Uint8Array(MAX_SECTION + 3);
  private len = 0;
  private want = -1;

  /** Feeds one packet's payload; returns the sections (CRC checked) that this packet completed. */
  push(payload: Uint8Array, unitStart: boolean): Uint8Array[] {
    const out: Uint8Array[] = [];
    let data = payload;
    if (unitStart) {
      if (data.length < 1) return out;
      const pointer = data[0];
      // Bytes before the pointer's target finish the previous section.
      if (this.want > 0) this.append(data.subarray(1, 1 + pointer), out);
      this.len = 0;
      this.want = 0;
      data = data.subarray(1 + pointer);
    } else if (this.want < 0) return out;
    this.append(data, out);
    return out;
  }

  private append(data: Uint8Array, out: Uint8Array[]): void {
    const n = Math.min(data.length, this.buf.length - this.len);
    this.buf.set(data.subarray(0, n), this.len);
    this.len += n;
    if (this.want === 0 && this.len >= 3) {
      this.want = 3 + (((this.buf[1] & 0x0f) << 8) | this.buf[2]);
      // 0xFF is stuffing, not a table; a length out of range is garbage.
      if (this.buf[0] === 0xff || this.want > MAX_SECTION + 3 || this.want < 12) this.want = -1;
    }
    if (this.want <= 0 || this.len < this.want) return;
    const section = this.buf.slice(0, this.want);
    this.want = -1;
    // Only the table in force (current_next_indicator) counts.
    if (mpegCrc32(section) === 0 && section[5] & 1) out.push(section);
  }
}

/** The PMT PID of the first real program of a PAT section, or undefined. */
export function readPat(section: Uint8Array): { programNumber: number; pmtPid: number } | undefined {
  if (section[0] !== TABLE_PAT) return undefined;
  for (let i = 8; i + 4 <= section.length - 4; i += 4) {
    const programNumber = (section[i] << 8) | section[i + 1];
    if (programNumber !== 0) return { programNumber, pmtPid: ((section[i + 2] & 0x1f) << 8) | section[i + 3] };
  }
  return undefined;
}

/** The elementary streams of a PMT section, or undefined when it is not one. */
export function readPmt(section: Uint8Array): ProgramMap | undefined {
  if (section[0] !== TABLE_PMT || section.length < 16) return undefined;
  const end = section.length - 4;
  const programNumber = (section[3] << 8) | section[4];
  const pcrPid = ((section[8] & 0x1f) << 8) | section[9];
  const streams: ElementaryStream[] = [];
  for (let i = 12 + (((section[10] & 0x0f) << 8) | section[11]); i + 5 <= end; ) {
    const streamType = section[i];
    const pid = ((section[i + 1] & 0x1f) << 8) | section[i + 2];
    const infoLen = ((section[i + 3] & 0x0f) << 8) | section[i + 4];
    const descriptors = section.slice(i + 5, Math.min(i + 5 + infoLen, end));
    streams.push({ pid, streamType, descriptors, ...esType(streamType, descriptors) });
    i += 5 + infoLen;
  }
  return { programNumber, pcrPid, streams };
}

/**
 * Follows the first program of a stream: its PAT, then the PMT the PAT points at. Repeats of the
 * same PMT (muxers send one every few hundred milliseconds) are not reported again.
 */
export class ProgramTables {
  private readonly pat = new SectionAssembler();
  private pmt?: { pid: number; programNumber: number; sections: SectionAssembler; last?: Uint8Array };

  /** True for the PIDs that carry the tables (the PAT's, and the current PMT's). */
  carries(pid: number): boolean {
    return pid === PAT_PID || pid === this.pmt?.pid;
  }

  /** The current PMT's PID, or -1 before a PAT named one. */
  get pmtPid(): number {
    return this.pmt?.pid ?? -1;
  }

  /** Reads one packet of a table PID; returns the program map when the packet completed a new one. */
  push(b: Uint8Array, off: number, pid: number): ProgramMap | undefined {
    const p = payloadOffset(b, off);
    if (p < 0) return undefined;
    const payload = b.subarray(p, off + TS_PACKET_SIZE);
    const start = isUnitStart(b, off);
    let found: ProgramMap | undefined;
    if (pid === PAT_PID) {
      for (const section of this.pat.push(payload, start)) this.onPat(section);
    } else if (this.pmt && pid === this.pmt.pid) {
      for (const section of this.pmt.sections.push(payload, start)) found = this.onPmt(section) ?? found;
    }
    return found;
  }

  private onPat(section: Uint8Array): void {
    const pat = readPat(section);
    if (!pat || (this.pmt?.pid === pat.pmtPid && this.pmt.programNumber === pat.programNumber)) return;
    this.pmt = { pid: pat.pmtPid, programNumber: pat.programNumber, sections: new SectionAssembler() };
  }

  private onPmt(section: Uint8Array): ProgramMap | undefined {
    const pmt = this.pmt!;
    if (pmt.last && Buffer.compare(pmt.last, section) === 0) return undefined;
    const map = readPmt(section);
    if (!map || map.programNumber !== pmt.programNumber) return undefined;
    pmt.last = section;
    return map;
  }
}

/** One 188-byte packet holding `section` (which must fit), with continuity counter `cc`. */
function sectionPacket(pid: number, cc: number, section: Uint8Array): Uint8Array {
  if (section.length > 183) throw new RangeError(`PSI section of ${section.length} bytes does not fit one packet`);
  const p = new Uint8Array(188).fill(0xff);
  p[0] = 0x47;
  p[1] = 0x40 | (pid >> 8); // payload_unit_start
  p[2] = pid & 0xff;
  p[3] = 0x10 | (cc & 0x0f); // payload only
  p[4] = 0; // pointer field
  p.set(section, 5);
  return p;
}

/** Fills in section_length and appends the CRC. */
function finishSection(body: number[]): Uint8Array {
  const section = new Uint8Array(body.length + 4);
  section.set(body);
  const len = section.length - 3;
  section[1] = 0xb0 | (len >> 8);
  section[2] = len & 0xff;
  const crc = mpegCrc32(section, 0, section.length - 4);
  section.set([crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff], section.length - 4);
  return section;
}

/** A PAT naming one program and its PMT PID, as one packet. */
export function patPacket(pmtPid: number, programNumber: number, cc: number): Uint8Array {
  const body = [TABLE_PAT, 0, 0, 0x00, 0x01, 0xc1, 0x00, 0x00, programNumber >> 8, programNumber & 0xff, 0xe0 | (pmtPid >> 8), pmtPid & 0xff];
  return sectionPacket(PAT_PID, cc, finishSection(body));
}

/** A PMT for `streams` (descriptors included), as one packet. */
export function pmtPacket(pmtPid: number, map: Pick<ProgramMap, 'programNumber' | 'pcrPid'> & { streams: Pick<ElementaryStream, 'pid' | 'streamType' | 'descriptors'>[] }, cc: number): Uint8Array {
  const body = [TABLE_PMT, 0, 0, map.programNumber >> 8, map.programNumber & 0xff, 0xc1, 0x00, 0x00, 0xe0 | (map.pcrPid >> 8), map.pcrPid & 0xff, 0xf0, 0x00];
  for (const s of map.streams) {
    body.push(s.streamType, 0xe0 | (s.pid >> 8), s.pid & 0xff, 0xf0 | (s.descriptors.length >> 8), s.descriptors.length & 0xff, ...s.descriptors);
  }
  return sectionPacket(pmtPid, cc, finishSection(body));
}
