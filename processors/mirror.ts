// Built-in `mirror`: mirrors the picture left to right (horizontal flip), in place, when `enabled`.
import { defineProcessor } from '../src/processor/types.js';
import { yuvPlanes } from '../src/media/pixel-format.js';

/** Reverses every row of one plane (one byte a sample). */
function mirrorPlane(d: Uint8Array, stride: number, rows: number): void {
  for (let row = 0; row < rows * stride; row += stride) d.subarray(row, row + stride).reverse();
}

export default defineProcessor({
  name: 'mirror',
  description: 'horizontal mirror',
  params: { enabled: true },
  // Pixels only move: each plane of the decoder's own format is mirrored as it is.
  format: 'yuv420p',
  video(frame, ctx) {
    if (!ctx.params.enabled) return;
    const p = yuvPlanes(frame.data, frame.width, frame.height);
    mirrorPlane(p.y, frame.width, frame.height);
    mirrorPlane(p.u, p.chromaWidth, p.chromaHeight);
    mirrorPlane(p.v, p.chromaWidth, p.chromaHeight);
  },
});
