// Bilinear resizing of packed RGB24 images into a caller-owned buffer (models want fixed or /32 sizes).

/** Per-axis sample positions, cached per (source, target) length pair: the inner loop only reads tables. */
interface Axis {
  i0: Int32Array;
  i1: Int32Array;
  /** Weight of i1 in 1/256 units. */
  w: Uint16Array;
}

const axes = new Map<string, Axis>();

function axis(src: number, dst: number): Axis {
  const key = `${src}>${dst}`;
  let a = axes.get(key);
  if (a) return a;
  a = { i0: new Int32Array(dst), i1: new Int32Array(dst), w: new Uint16Array(dst) };
  const scale = src / dst;
  for (let i = 0; i < dst; i++) {
    // Pixel centres aligned (like ffmpeg/OpenCV), clamped at the borders.
    const x = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), src - 1);
    const x0 = Math.floor(x);
    a.i0[i] = x0;
    a.i1[i] = Math.min(x0 + 1, src - 1);
    a.w[i] = Math.round((x - x0) * 256);
  }
  if (axes.size > 64) axes.clear();
  axes.set(key, a);
  return a;
}

/** Why: models take their own input size; resizes `src` (sw x sh RGB24) into `dst` (dw x dh RGB24) bilinearly. */
export function resizeRgb(src: Uint8Array, sw: number, sh: number, dw: number, dh: number, dst: Uint8Array = new Uint8Array(dw * dh * 3)): Uint8Array {
  if (dst.length < dw * dh * 3) throw new RangeError(`resize target holds ${dst.length} bytes, need ${dw * dh * 3}`);
  if (sw === dw && sh === dh) {
    dst.set(src.subarray(0, sw * sh * 3));
    return dst;
  }
  const ax = axis(sw, dw);
  const ay = axis(sh, dh);
  let o = 0;
  for (let y = 0; y < dh; y++) {
    const r0 = ay.i0[y] * sw * 3;
    const r1 = ay.i1[y] * sw * 3;
    const wy = ay.w[y];
    const wy0 = 256 - wy;
    for (let x = 0; x < dw; x++) {
      const c0 = ax.i0[x] * 3;
      const c1 = ax.i1[x] * 3;
      const wx = ax.w[x];
      const wx0 = 256 - wx;
      for (let c = 0; c < 3; c++) {
        const top = src[r0 + c0 + c] * wx0 + src[r0 + c1 + c] * wx;
        const bottom = src[r1 + c0 + c] * wx0 + src[r1 + c1 + c] * wx;
        dst[o++] = (top * wy0 + bottom * wy + 32768) >> 16;
      }
    }
  }
  return dst;
}

/** Why: a model's mask is smaller than the frame; samples a single-channel float plane at frame pixel (x, y). */
export function resizePlane(src: Float32Array, sw: number, sh: number, dw: number, dh: number, dst: Float32Array = new Float32Array(dw * dh)): Float32Array {
  const ax = axis(sw, dw);
  const ay = axis(sh, dh);
  let o = 0;
  for (let y = 0; y < dh; y++) {
    const r0 = ay.i0[y] * sw;
    const r1 = ay.i1[y] * sw;
    const wy = ay.w[y] / 256;
    for (let x = 0; x < dw; x++) {
      const wx = ax.w[x] / 256;
      const top = src[r0 + ax.i0[x]] * (1 - wx) + src[r0 + ax.i1[x]] * wx;
      const bottom = src[r1 + ax.i0[x]] * (1 - wx) + src[r1 + ax.i1[x]] * wx;
      dst[o++] = top * (1 - wy) + bottom * wy;
    }
  }
  return dst;
}
