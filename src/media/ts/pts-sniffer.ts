// Reads video PES timestamps out of MPEG-TS bytes as they stream by (latency accounting, not demuxing).
import { TsPacketFramer } from './packets.js';
import { packetPes } from './pes.js';

/** PES stream ids 0xE0–0xEF are video. */
const isVideoStreamId = (id: number) => (id & 0xf0) === 0xe0;

/** Incremental sniffer: feed TS chunks, get the PTS (90 kHz) of each video PES that starts in them. */
export class TsPtsSniffer {
  private readonly framer = new TsPacketFramer();

  /** The video PTS values whose PES headers start inside `chunk` (chunk boundaries anywhere). */
  push(chunk: Uint8Array): number[] {
    const out: number[] = [];
    this.framer.push(chunk, (b, off) => {
      const header = packetPes(b, off)?.header;
      if (header?.pts !== undefined && isVideoStreamId(header.streamId)) out.push(header.pts);
    });
    return out;
  }
}
