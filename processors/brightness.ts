// Built-in `brightness`: adds `intensity` (−1..1 of full scale) to R, G and B, clamped.
import { defineProcessor } from '../src/processor/types.js';
import { cachedAddLut } from './red-tint.js';

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
