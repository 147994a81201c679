// Fast blur of a rectangle of an RGB24 image in place: repeated box blurs approximate a gaussian in O(area).

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Scratch memory reused between calls (grows, never shrinks). */
export class BlurScratch {
  a = new Uint8Array(0);
  b = new Uint8Array(0);
  ensure(bytes: number): void {
    if (this.a.length < bytes) {
      this.a = new Uint8Array(bytes);
      this.b = new Uint8Array(bytes);
    }
  }
}

/** One horizontal box pass of radius r over w x h RGB rows (edges clamped), src → dst. */
function passRows(src: Uint8Array, dst: Uint8Array, w: number, h: number, r: number): void {
  const div = 2 * r + 1;
  for (let y = 0; y < h; y++) {
    const row = y * w * 3;
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let k = -r; k <= r; k++) sum += src[row + Math.min(Math.max(k, 0), w - 1) * 3 + c];
      for (let x = 0; x < w; x++) {
        dst[row + x * 3 + c] = (sum + (div >> 1)) / div;
        const add = Math.min(x + r + 1, w - 1);
        const sub = Math.max(x - r, 0);
        sum += src[row + add * 3 + c] - src[row + sub * 3 + c];
      }
    }
  }
}

/** One vertical box pass of radius r over w x h RGB columns (edges clamped), src → dst. */
function passCols(src: Uint8Array, dst: Uint8Array, w: number, h: number, r: number): void {
  const div = 2 * r + 1;
  const stride = w * 3;
  for (let x = 0; x < stride; x++) {
    let sum = 0;
    for (let k = -r; k <= r; k++) sum += src[Math.min(Math.max(k, 0), h - 1) * stride + x];
    for (let y = 0; y < h; y++) {
      dst[y * stride + x] = (sum + (div >> 1)) / div;
      const add = Math.min(y + r + 1, h - 1);
      const sub = Math.max(y - r, 0);
      sum += src[add * stride + x] - src[sub * stride + x];
    }
  }
}

/**
 * Why: hiding text needs a strong blur only where text is; blurs `rect` of the `width`-wide RGB24
 * image `data` in place with `passes` box blurs of `radius` (3 passes ≈ gaussian, sigma ≈ radius).
 */
export function blurRect(data: Uint8Array, width: number, height: number, rect: Rect, radius: number, passes = 3, scratch = new BlurScratch()): void {
  const x0 = Math.max(0, Math.floor(rect.x));
  const y0 = Math.max(0, Math.floor(rect.y));
  const x1 = Math.min(width, Math.ceil(rect.x + rect.width));
  const y1 = Math.min(height, Math.ceil(rect.y + rect.height));
  const w = x1 - x0;
  const h = y1 - y0;
  const r = Math.max(0, Math.round(radius));
  if (w <= 0 || h <= 0 || r === 0 || passes <= 0) return;
  scratch.ensure(w * h * 3);
  const { a, b } = scratch;
  for (let y = 0; y < h; y++) a.set(data.subarray(((y0 + y) * width + x0) * 3, ((y0 + y) * width + x1) * 3), y * w * 3);
  for (let p = 0; p < passes; p++) {
    passRows(a, b, w, h, r);
    passCols(b, a, w, h, r);
  }
  for (let y = 0; y < h; y++) data.set(a.subarray(y * w * 3, (y + 1) * w * 3), ((y0 + y) * width + x0) * 3);
}
