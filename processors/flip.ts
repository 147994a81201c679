// Built-in `flip`: turns the picture upside down (vertical flip), in place, when `enabled`.
import { defineProcessor } from '../src/processor/types.js';
import { yuvPlanes } from '../src/media/pixel-format.js';

/** Swaps the rows of one plane top to bottom, through `row` (at least `stride` bytes). */
function flipPlane(d: Uint8Array, stride: number, rows: number, row: Uint8Array): void {
  for (let top = 0, bottom = (rows - 1) * stride; top < bottom; top += stride, bottom -= stride) {
    row.set(d.subarray(top, top + stride));
    d.copyWithin(top, bottom, bottom + stride);
    d.set(row, bottom);
  }
}

export default defineProcessor({
  name: 'flip',
  description: 'vertical flip',
  params: { enabled: true },
  // Pixels only move: each plane of the decoder's own format is flipped as it is.
  format: 'yuv420p',
  video(frame, ctx) {
    if (!ctx.params.enabled) return;
    const { width, height } = frame;
    // One scratch row per stream, reused frame to frame.
    let row = ctx.state.row as Uint8Array | undefined;
    if (!row || row.length !== width) ctx.state.row = row = new Uint8Array(width);
    const p = yuvPlanes(frame.data, width, height);
    flipPlane(p.y, width, height, row);
    flipPlane(p.u, p.chromaWidth, p.chromaHeight, row);
    flipPlane(p.v, p.chromaWidth, p.chromaHeight, row);
  },
});
