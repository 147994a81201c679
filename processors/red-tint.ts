// Built-in `red-tint`: adds `intensity` (0..1 of full scale) to the red channel, clamped.
//
// It works on yuv420p frames and gives the pixels the RGB arithmetic gives, without either colour
// conversion. For each pixel, red is read from its luma and its block's V (BT.601, limited range:
// R = 1.164(Y−16) + 1.596(V−128), rounded and clamped as a decoder does), the clamped addition
// gives that pixel's change of red dR, and the change goes back the way an RGB→YUV conversion
// takes it: Y += 0.2568·dR for the pixel, U −= 0.1482·dR and V += 0.4392·dR by the 2x2 block's
// mean. Where red clamps (already bright red), dR is smaller than the intensity or zero, as in RGB.
// A WebAssembly SIMD kernel does this in 20-bit fixed point for all but a frame's ragged edges
// (about four times faster); its constants give exactly what the tables below give.
import { defineProcessor } from '../src/processor/types.js';
import { yuvPlanes } from '../src/media/pixel-format.js';
import type { VideoFrame } from '../src/media/frames.js';
import { tintSimd } from '../src/image/tint-simd.js';

/**
 * The channels a tint can raise, with the BT.601 limited-range coefficients that tie each to Y, U and
 * V, and the same scaled by 2^20 for the SIMD kernel: A and B weigh luma and chroma, DY the change
 * of luma, DU and DV (a quarter of du and dv) a block's summed change. Each fixed-point value is one
 * whose floor(x + 1/2) equals Math.round of the floating-point product for every input it meets.
 */
const CHANNELS = {
  // R = 1.164(Y−16) + 1.596(V−128); Y, U and V change by (65.481, −37.797, 112)/255 of a change of R
  red: {
    fromChroma: 1.596027,
    readsV: true,
    dy: 65.481 / 255,
    du: -37.797 / 255,
    dv: 112 / 255,
    fixed: { A: 1220944, B: 1673555, DY: 269262, DU: -38856, DV: 115137 },
  },
  // B = 1.164(Y−16) + 2.017(U−128); Y, U and V change by (24.966, 112, −18.214)/255 of a change of B
  blue: {
    fromChroma: 2.017232,
    readsV: false,
    dy: 24.966 / 255,
    du: 112 / 255,
    dv: -18.214 / 255,
    fixed: { A: 1220944, B: 2115222, DY: 102662, DU: 115137, DV: -18722 },
  },
} as const;

export type TintChannel = keyof typeof CHANNELS;

/**
 * Tables for one channel and addition, indexed by (the chroma that channel is read from << 8 | luma):
 * a block's four lookups share one chroma, so they fall within one 1 KiB row of the table.
 */
interface TintTables {
  key: string;
  /** The pixel's new luma (low byte) and, above it, the change of the channel (what the clamped addition leaves of `add`). */
  pixel: Int32Array;
  /** U's and V's change + 256 for a block whose four changes sum to s, at s + 1020. */
  du: Int16Array;
  dv: Int16Array;
}

const clamp255 = (x: number) => (x < 0 ? 0 : x > 255 ? 255 : x);

function tintTables(channel: TintChannel, add: number, reuse?: TintTables): TintTables {
  const c = CHANNELS[channel];
  const t = reuse ?? { key: '', pixel: new Int32Array(65536), du: new Int16Array(2041), dv: new Int16Array(2041) };
  t.key = `${channel}:${add}`;
  for (let ch = 0; ch < 256; ch++) {
    for (let y = 0; y < 256; y++) {
      const was = clamp255(Math.round(1.164383 * (y - 16) + c.fromChroma * (ch - 128)));
      const change = clamp255(was + add) - was;
      t.pixel[(ch << 8) | y] = clamp255(y + Math.round(c.dy * change)) | (change << 8);
    }
  }
  for (let s = -1020; s <= 1020; s++) {
    t.du[s + 1020] = Math.round((c.du * s) / 4) + 256;
    t.dv[s + 1020] = Math.round((c.dv * s) / 4) + 256;
  }
  return t;
}

/** x + 256 → x clamped to 0..255, for x in −256..511. */
const CLAMP = Uint8Array.from({ length: 768 }, (_, i) => clamp255(i - 256));

/**
 * Adds `add` (rounded; beyond ±255 it acts as ±255) to one RGB channel of a yuv420p frame, in place,
 * clamped per pixel as in RGB. The tables live in `state`, are built only for what the SIMD kernel
 * leaves (ragged edges, or all without it) and rebuilt only when the channel or the addition
 * changes. `kernel: 'tables'` keeps the SIMD kernel out (the two give the same pixels).
 */
export function tintYuv(
  frame: VideoFrame,
  channel: TintChannel,
  amount: number,
  state: Record<string, unknown>,
  kernel: 'auto' | 'tables' = 'auto',
): void {
  if (!Number.isFinite(amount)) return;
  const add = Math.max(-255, Math.min(255, Math.round(amount)));
  if (add === 0) return;
  const { width: w, height: h } = frame;
  const readsV = CHANNELS[channel].readsV;
  const simd = kernel === 'auto' ? tintSimd(frame.data, w, h, readsV, add, CHANNELS[channel].fixed) : undefined;
  // A width in whole 16-column chunks and an even height leave the tables nothing to do.
  if (simd && 2 * simd.cols >= w && 2 * simd.rows >= h) return;
  let t = state.tint as TintTables | undefined;
  if (t?.key !== `${channel}:${add}`) state.tint = t = tintTables(channel, add, t);
  const { pixel, du, dv } = t;
  const { y, u, v, chromaWidth: cw } = yuvPlanes(frame.data, w, h);
  for (let by = 0; 2 * by < h; by++) {
    const row0 = 2 * by * w;
    const twoRows = 2 * by + 1 < h;
    for (let bx = simd && by < simd.rows ? simd.cols : 0; 2 * bx < w; bx++) {
      const ci = by * cw + bx;
      const row = (readsV ? v[ci] : u[ci]) << 8;
      const p = row0 + 2 * bx;
      let s: number;
      if (twoRows && 2 * bx + 1 < w) {
        // One lookup a pixel; a Uint8Array store keeps the low byte (the new luma).
        const a = pixel[row | y[p]];
        const b = pixel[row | y[p + 1]];
        const c = pixel[row | y[p + w]];
        const d = pixel[row | y[p + w + 1]];
        y[p] = a;
        y[p + 1] = b;
        y[p + w] = c;
        y[p + w + 1] = d;
        s = (a >> 8) + (b >> 8) + (c >> 8) + (d >> 8);
      } else {
        // A block on the right or bottom edge of an odd size: its pixels' sum, scaled to four.
        let sum = 0;
        let n = 0;
        const cols = 2 * bx + 1 < w ? 2 : 1;
        for (let q = p; q <= p + (twoRows ? w : 0); q += w) {
          for (let x = 0; x < cols; x++) {
            const px = pixel[row | y[q + x]];
            y[q + x] = px;
            sum += px >> 8;
            n++;
          }
        }
        s = Math.round((sum * 4) / n);
      }
      u[ci] = CLAMP[u[ci] + du[s + 1020]];
      v[ci] = CLAMP[v[ci] + dv[s + 1020]];
    }
  }
}

export default defineProcessor({
  name: 'red-tint',
  description: 'adds intensity to the red channel',
  params: { intensity: 0.3 },
  format: 'yuv420p',
  video(frame, ctx) {
    tintYuv(frame, 'red', Math.round(Number(ctx.params.intensity) * 255), ctx.state);
  },
});
