// Built-in `invert`: blends each pixel towards its colour negative by `intensity`.
import { defineProcessor } from '../src/processor/types.js';
import { yuvPlanes } from '../src/media/pixel-format.js';

/**
 * The negative of an RGB colour is, in limited-range YUV, luma mirrored about the middle of
 * 16..235 (251 - Y) and chroma about 128 (256 - C); blending towards it is linear in both.
 */
function blendLut(k: number, mirror: number, lut: Uint8Array): Uint8Array {
  for (let v = 0; v < 256; v++) lut[v] = Math.max(0, Math.min(255, Math.round(v + (mirror - 2 * v) * k)));
  return lut;
}

export default defineProcessor({
  name: 'invert',
  description: 'colour negative; intensity 1 is fully inverted',
  params: { intensity: 1 },
  format: 'yuv420p',
  video(frame, ctx) {
    const k = Math.max(0, Math.min(1, Number(ctx.params.intensity)));
    if (ctx.state.lutFor !== k) {
      ctx.state.lutY = blendLut(k, 251, (ctx.state.lutY as Uint8Array | undefined) ?? new Uint8Array(256));
      ctx.state.lutC = blendLut(k, 256, (ctx.state.lutC as Uint8Array | undefined) ?? new Uint8Array(256));
      ctx.state.lutFor = k;
    }
    const lutY = ctx.state.lutY as Uint8Array;
    const lutC = ctx.state.lutC as Uint8Array;
    const { y, u, v } = yuvPlanes(frame.data, frame.width, frame.height);
    for (let i = 0; i < y.length; i++) y[i] = lutY[y[i]];
    for (let i = 0; i < u.length; i++) {
      u[i] = lutC[u[i]];
      v[i] = lutC[v[i]];
    }
  },
});
