// Applies a soft mask to an RGB24 frame in place: blur or tint where the mask is high.
import { BlurScratch, blurRect } from './box-blur.js';

/** Scratch for mask mixing, reused frame to frame. */
export class MaskScratch {
  blurred = new Uint8Array(0);
  weights = new Float32Array(0);
  blur = new BlurScratch();
}

export type MaskEffect = { kind: 'blur'; radius: number } | { kind: 'blend'; color: readonly [number, number, number]; alpha: number };

/**
 * Why: segmentation models give a per-pixel mask; mixes each pixel toward the effect by its mask
 * weight (0..1, already at frame size in `weights`).
 */
export function applyMask(data: Uint8Array, width: number, height: number, weights: Float32Array, effect: MaskEffect, scratch: MaskScratch): void {
  const n = width * height;
  let target: Uint8Array | undefined;
  if (effect.kind === 'blur') {
    if (scratch.blurred.length < n * 3) scratch.blurred = new Uint8Array(n * 3);
    target = scratch.blurred;
    target.set(data.subarray(0, n * 3));
    blurRect(target, width, height, { x: 0, y: 0, width, height }, effect.radius, 3, scratch.blur);
  }
  const [cr, cg, cb] = effect.kind === 'blend' ? effect.color : [0, 0, 0];
  const alpha = effect.kind === 'blend' ? effect.alpha : 1;
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const w = weights[i];
    if (!(w > 0)) continue;
    const k = (w >= 1 ? 1 : w) * alpha;
    if (target) {
      data[j] = data[j] + (target[j] - data[j]) * k + 0.5;
      data[j + 1] = data[j + 1] + (target[j + 1] - data[j + 1]) * k + 0.5;
      data[j + 2] = data[j + 2] + (target[j + 2] - data[j + 2]) * k + 0.5;
    } else {
      data[j] = data[j] + (cr - data[j]) * k + 0.5;
      data[j + 1] = data[j + 1] + (cg - data[j + 1]) * k + 0.5;
      data[j + 2] = data[j + 2] + (cb - data[j + 2]) * k + 0.5;
    }
  }
}

/** Parses `r,g,b` (0–255) or `#rrggbb` into a colour; undefined when empty. */
export function parseColor(spec: string): readonly [number, number, number] | undefined {
  const s = spec.trim();
  if (!s) return undefined;
  const hex = /^#?([0-9a-f]{6})$/i.exec(s);
  if (hex) {
    const v = parseInt(hex[1], 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  }
  const parts = s.split(',').map((p) => Number(p.trim()));
  if (parts.length === 3 && parts.every((p) => Number.isFinite(p) && p >= 0 && p <= 255)) return [parts[0], parts[1], parts[2]];
  throw new RangeError(`colour "${spec}": expected r,g,b (0-255) or #rrggbb`);
}
