// Built-in `blue-tint`: adds `intensity` (0..1 of full scale) to the blue channel, clamped.
import { defineProcessor } from '../src/processor/types.js';
import { cachedAddLut, mapChannel } from './red-tint.js';

export default defineProcessor({
  name: 'blue-tint',
  description: 'adds intensity to the blue channel',
  params: { intensity: 0.3 },
  video(frame, ctx) {
    mapChannel(frame, 2, cachedAddLut(ctx.state, Number(ctx.params.intensity)));
  },
});
