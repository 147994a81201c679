// Built-in `grayscale`: blends each pixel towards its luma by `intensity`.
import { defineProcessor } from '../src/processor/types.js';
import { yuvPlanes } from '../src/media/pixel-format.js';

/** lut[c] = c moved towards neutral chroma (128) by k (fixed point, 256 = fully). */
function chromaLut(kq: number, lut: Uint8Array): Uint8Array {
  for (let c = 0; c < 256; c++) lut[c] = 128 + (((c - 128) * (256 - kq)) >> 8);
  return lut;
}

export default defineProcessor({
  name: 'grayscale',
  description: 'desaturates towards luma; intensity 1 is fully gray',
  params: { intensity: 1 },
  // Blending a pixel towards its luma is scaling its chroma towards neutral: luma is not touched.
  format: 'yuv420p',
  video(frame, ctx) {
    const k = Math.max(0, Math.min(1, Number(ctx.params.intensity)));
    const kq = Math.round(k * 256);
    if (ctx.state.lutFor !== kq) {
      ctx.state.lut = chromaLut(kq, (ctx.state.lut as Uint8Array | undefined) ?? new Uint8Array(256));
      ctx.state.lutFor = kq;
    }
    const lut = ctx.state.lut as Uint8Array;
    const { u, v } = yuvPlanes(frame.data, frame.width, frame.height);
    for (let i = 0; i < u.length; i++) {
      u[i] = lut[u[i]];
      v[i] = lut[v[i]];
    }
  },
});
