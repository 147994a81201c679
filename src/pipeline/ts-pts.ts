// Reads video PES timestamps out of MPEG-TS bytes as they stream by (for latency accounting only).

/** Incremental sniffer: feed TS chunks, get the PTS (90 kHz) of each video PES that starts in them. */
export class TsPtsSniffer {
  private carry: Uint8Array = new Uint8Array(0);

  /** Returns the video PTS values whose PES headers start inside `chunk` (any chunk boundaries). */
  push(chunk: Uint8Array): number[] {
    let buf = chunk;
    if (this.carry.length > 0) {
      buf = new Uint8Array(this.carry.length + chunk.length);
      buf.set(this.carry);
      buf.set(chunk, this.carry.length);
    }
    const out: number[] = [];
    let i = 0;
    while (i + 188 <= buf.length) {
      if (buf[i] !== 0x47) {
        i++; // resync
        continue;
      }
      const pusi = (buf[i + 1] & 0x40) !== 0;
      const afc = (buf[i + 3] >> 4) & 3;
      if (pusi && afc & 1) {
        let p = i + 4;
        if (afc & 2) p += 1 + buf[i + 4];
        // PES start code + a video stream id (0xE0–0xEF) + PTS present.
        if (p + 14 <= i + 188 && buf[p] === 0 && buf[p + 1] === 0 && buf[p + 2] === 1 && (buf[p + 3] & 0xf0) === 0xe0 && buf[p + 7] & 0x80) {
          const q = p + 9;
          const pts =
            ((buf[q] >> 1) & 0x07) * 2 ** 30 +
            ((buf[q + 1] << 7) | (buf[q + 2] >> 1)) * 2 ** 15 +
            ((buf[q + 3] << 7) | (buf[q + 4] >> 1));
          out.push(pts);
        }
      }
      i += 188;
    }
    this.carry = buf.slice(i);
    return out;
  }
}
