// Spots where an MPEG-TS input's video timestamps jump backwards (a restarted publisher), so the
// decoder can restart ffmpeg there: with -copyts ffmpeg would rewrite such pts to last+1.

const PACKET = 188;
/** B-frame reordering moves pts back by a few frames; a real rewind moves it back seconds. */
const REWIND_TICKS = 2 * 90_000;
const WRAP = 2 ** 33;

/** True when `pts` after `last` is a rewind rather than reordering or a 33-bit wrap. */
export function isRewind(last: number, pts: number): boolean {
  if (pts >= last - REWIND_TICKS) return false;
  return !(last > WRAP - 600 * 90_000 && pts < 600 * 90_000);
}

/** Reads the 33-bit PTS of a PES header starting at `p`, or undefined for non-video / no PTS. */
function videoPts(buf: Uint8Array, p: number, end: number): number | undefined {
  if (p + 14 > end || buf[p] !== 0 || buf[p + 1] !== 0 || buf[p + 2] !== 1) return undefined;
  if ((buf[p + 3] & 0xf0) !== 0xe0) return undefined; // video stream ids 0xE0..0xEF
  if (!(buf[p + 7] & 0x80)) return undefined;
  const b = p + 9;
  return (((buf[b] >> 1) & 0x07) * 2 ** 30 + (buf[b + 1] << 22) + ((buf[b + 2] >> 1) << 15) + (buf[b + 3] << 7) + (buf[b + 4] >> 1));
}

/**
 * Fed the input bytes in order, reports the absolute byte offset of the PAT that starts a
 * segment whose first video pts rewinds. Only a rewind with a PAT between the last video PES
 * and the rewinding one is reported (a fresh ffmpeg needs PAT/PMT to start).
 */
export class TsRewindDetector {
  private carry = new Uint8Array(0);
  private consumed = 0;
  private lastPts: number | undefined;
  private patSinceVideo: number | undefined;

  /** Returns the absolute offset to restart from, when this chunk holds a rewind. */
  push(chunk: Uint8Array): number | undefined {
    const buf = this.carry.length ? concat(this.carry, chunk) : chunk;
    const base = this.consumed - this.carry.length;
    this.consumed += chunk.length;
    let found: number | undefined;
    let i = 0;
    while (i + PACKET <= buf.length) {
      if (buf[i] !== 0x47) {
        i++;
        continue;
      }
      const pusi = (buf[i + 1] & 0x40) !== 0;
      const pid = ((buf[i + 1] & 0x1f) << 8) | buf[i + 2];
      if (pusi && pid === 0) this.patSinceVideo ??= base + i;
      else if (pusi && pid !== 0x1fff && buf[i + 3] & 0x10) {
        const afc = (buf[i + 3] >> 4) & 3;
        const payload = afc === 3 ? i + 5 + buf[i + 4] : i + 4;
        const pts = payload < i + PACKET ? videoPts(buf, payload, i + PACKET) : undefined;
        if (pts !== undefined) {
          if (this.lastPts !== undefined && this.patSinceVideo !== undefined && isRewind(this.lastPts, pts)) found = this.patSinceVideo;
          this.lastPts = pts;
          this.patSinceVideo = undefined;
        }
      }
      i += PACKET;
    }
    this.carry = buf.slice(i);
    return found;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
