// Built-in `flip`: turns the picture upside down (vertical flip), in place, when `enabled`.
import { defineProcessor } from '../src/processor/types.js';

export default defineProcessor({
  name: 'flip',
  description: 'vertical flip',
  params: { enabled: true },
  video(frame, ctx) {
    if (!ctx.params.enabled) return;
    const stride = frame.width * 3;
    // One scratch row per stream, reused frame to frame.
    let row = ctx.state.row as Uint8Array | undefined;
    if (!row || row.length !== stride) ctx.state.row = row = new Uint8Array(stride);
    const d = frame.data;
    for (let top = 0, bottom = (frame.height - 1) * stride; top < bottom; top += stride, bottom -= stride) {
      row.set(d.subarray(top, top + stride));
      d.copyWithin(top, bottom, bottom + stride);
      d.set(row, bottom);
    }
  },
});
