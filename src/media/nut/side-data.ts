// NUT v4 per-frame side data and metadata: skipped, except a size change which is surfaced.
import { ByteReader, NEED_MORE } from './bytes.js';
import type { NutPacket } from './demuxer.js';

const decoder = new TextDecoder();

/** Reads one side-data/metadata block, noting Width/Height when present. */
function readBlock(r: ByteReader, packet: NutPacket): void {
  const count = r.v();
  for (let i = 0; i < count; i++) {
    const name = decoder.decode(r.vb());
    const value = r.s();
    if (value === -1) r.vb();
    else if (value === -2) {
      r.vb(); // type
      r.skip(r.v());
    } else if (value === -3) r.s();
    else if (value === -4) r.v();
    else if (value < -4) r.s();
    else if (name === 'Width') packet.width = value;
    else if (name === 'Height') packet.height = value;
  }
}

/** Removes the side data and metadata blocks that lead a frame flagged FLAG_SM_DATA. */
export function stripSideData(packet: NutPacket): NutPacket {
  const r = new ByteReader(packet.data);
  try {
    readBlock(r, packet);
    readBlock(r, packet);
  } catch (err) {
    if (err === NEED_MORE) throw new RangeError('NUT side data runs past its frame');
    throw err;
  }
  packet.data = packet.data.subarray(r.pos);
  return packet;
}
