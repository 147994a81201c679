// Built-in `mirror`: mirrors the picture left to right (horizontal flip), in place, when `enabled`.
import { defineProcessor } from '../src/processor/types.js';

export default defineProcessor({
  name: 'mirror',
  description: 'horizontal mirror',
  params: { enabled: true },
  video(frame, ctx) {
    if (!ctx.params.enabled) return;
    const d = frame.data;
    const stride = frame.width * 3;
    for (let row = 0; row < frame.height * stride; row += stride) {
      for (let l = row, r = row + stride - 3; l < r; l += 3, r -= 3) {
        const r0 = d[l], g0 = d[l + 1], b0 = d[l + 2];
        d[l] = d[r]; d[l + 1] = d[r + 1]; d[l + 2] = d[r + 2];
        d[r] = r0; d[r + 1] = g0; d[r + 2] = b0;
      }
    }
  },
});
