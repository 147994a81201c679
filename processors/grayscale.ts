// Built-in `grayscale`: blends each pixel towards its luma (BT.601) by `intensity`.
import { defineProcessor } from '../src/processor/types.js';

export default defineProcessor({
  name: 'grayscale',
  description: 'desaturates towards luma; intensity 1 is fully gray',
  params: { intensity: 1 },
  video(frame, ctx) {
    const k = Math.max(0, Math.min(1, Number(ctx.params.intensity)));
    const kq = Math.round(k * 256); // fixed point keeps the loop in integers
    const d = frame.data;
    const end = frame.width * frame.height * 3;
    for (let i = 0; i < end; i += 3) {
      const r = d[i], g = d[i + 1], b = d[i + 2];
      const y = (77 * r + 150 * g + 29 * b) >> 8;
      d[i] = r + (((y - r) * kq) >> 8);
      d[i + 1] = g + (((y - g) * kq) >> 8);
      d[i + 2] = b + (((y - b) * kq) >> 8);
    }
  },
});
