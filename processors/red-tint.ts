// Built-in `red-tint`: adds `intensity` (0..1 of full scale) to the red channel, clamped.
import { defineProcessor } from '../src/processor/types.js';
import type { VideoFrame } from '../src/media/frames.js';

/** lut[v] = min(255, v + intensity*255): one table lookup per pixel instead of arithmetic. */
export function addLut(intensity: number, lut: Uint8Array = new Uint8Array(256)): Uint8Array {
  const add = Math.round(intensity * 255);
  for (let v = 0; v < 256; v++) lut[v] = Math.max(0, Math.min(255, v + add));
  return lut;
}

/** The stream's add-LUT for `intensity`, rebuilt only when the value changes (no per-frame allocation). */
export function cachedAddLut(state: Record<string, unknown>, intensity: number): Uint8Array {
  if (state.lutFor !== intensity || !(state.lut instanceof Uint8Array)) {
    state.lut = addLut(intensity, state.lut instanceof Uint8Array ? state.lut : undefined);
    state.lutFor = intensity;
  }
  return state.lut as Uint8Array;
}

/** Applies `lut` to one channel (0 R, 1 G, 2 B) of a packed RGB24 frame, in place. */
export function mapChannel(frame: VideoFrame, channel: number, lut: Uint8Array): void {
  const d = frame.data;
  const end = frame.width * frame.height * 3;
  for (let i = channel; i < end; i += 3) d[i] = lut[d[i]];
}

export default defineProcessor({
  name: 'red-tint',
  description: 'adds intensity to the red channel',
  params: { intensity: 0.3 },
  video(frame, ctx) {
    mapChannel(frame, 0, cachedAddLut(ctx.state, Number(ctx.params.intensity)));
  },
});
