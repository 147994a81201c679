// Built-in `sepia`: the classic sepia matrix, blended with the original by `intensity`.
import { defineProcessor } from '../src/processor/types.js';

export default defineProcessor({
  name: 'sepia',
  description: 'sepia tone; intensity 1 is full sepia',
  params: { intensity: 1 },
  video(frame, ctx) {
    const k = Math.max(0, Math.min(1, Number(ctx.params.intensity)));
    const j = 1 - k;
    const d = frame.data; // Uint8Array stores wrap above 255, hence the Math.min
    const end = frame.width * frame.height * 3;
    for (let i = 0; i < end; i += 3) {
      const r = d[i], g = d[i + 1], b = d[i + 2];
      const sr = 0.393 * r + 0.769 * g + 0.189 * b;
      const sg = 0.349 * r + 0.686 * g + 0.168 * b;
      const sb = 0.272 * r + 0.534 * g + 0.131 * b;
      d[i] = Math.min(255, r * j + sr * k);
      d[i + 1] = Math.min(255, g * j + sg * k);
      d[i + 2] = Math.min(255, b * j + sb * k);
    }
  },
});
