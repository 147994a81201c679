// Built-in `invert`: blends each channel towards its negative by `intensity`.
import { defineProcessor } from '../src/processor/types.js';

export default defineProcessor({
  name: 'invert',
  description: 'colour negative; intensity 1 is fully inverted',
  params: { intensity: 1 },
  video(frame, ctx) {
    const k = Math.max(0, Math.min(1, Number(ctx.params.intensity)));
    if (ctx.state.lutFor !== k) {
      const lut = (ctx.state.lut as Uint8Array | undefined) ?? new Uint8Array(256);
      for (let v = 0; v < 256; v++) lut[v] = Math.round(v + (255 - 2 * v) * k);
      ctx.state.lut = lut;
      ctx.state.lutFor = k;
    }
    const lut = ctx.state.lut as Uint8Array;
    const d = frame.data;
    const end = frame.width * frame.height * 3;
    for (let i = 0; i < end; i++) d[i] = lut[d[i]];
  },
});
