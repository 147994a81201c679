// Built-in `blue-tint`: adds `intensity` (0..1 of full scale) to the blue channel, clamped
// (in yuv420p, as red-tint does it: blue is read from luma and U).
import { defineProcessor } from '../src/processor/types.js';
import { tintYuv } from './red-tint.js';

export default defineProcessor({
  name: 'blue-tint',
  description: 'adds intensity to the blue channel',
  params: { intensity: 0.3 },
  format: 'yuv420p',
  video(frame, ctx) {
    tintYuv(frame, 'blue', Math.round(Number(ctx.params.intensity) * 255), ctx.state);
  },
});
