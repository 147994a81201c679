// Built-in `brightness`: adds `intensity` (−1..1 of full scale) to R, G and B, clamped.
import { defineProcessor } from '../src/processor/types.js';

/** lut[v] = min(255, v + intensity*255): one table lookup per pixel instead of arithmetic. */
function addLut(intensity: number, lut: Uint8Array = new Uint8Array(256)): Uint8Array {
  const add = Math.round(intensity * 255);
  for (let v = 0; v < 256; v++) lut[v] = Math.max(0, Math.min(255, v + add));
  return lut;
}

/** The stream's add-LUT for `intensity`, rebuilt only when the value changes (no per-frame allocation). */
function cachedAddLut(state: Record<string, unknown>, intensity: number): Uint8Array {
  if (state.lutFor !== intensity || !(state.lut instanceof Uint8Array)) {
    state.lut = addLut(intensity, state.lut instanceof Uint8Array ? state.lut : undefined);
    state.lutFor = intensity;
  }
  return state.lut as Uint8Array;
}

export default defineProcessor({
  name: 'brightness',
  description: 'adds intensity to all three channels',
  params: { intensity: 0.2 },
  video(frame, ctx) {
    const lut = cachedAddLut(ctx.state, Number(ctx.params.intensity));
    const d = frame.data;
    const end = frame.width * frame.height * 3;
    for (let i = 0; i < end; i++) d[i] = lut[d[i]];
  },
});
