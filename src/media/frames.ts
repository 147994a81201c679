// Frame types handed to processors, and the tensor helpers that convert them for models.
import { bytesPerPixel, frameBytes, type PixelFormat } from './pixel-format.js';

export { frameBytes, yuvPlanes, PIXEL_FORMATS, type PixelFormat, type YuvPlanes } from './pixel-format.js';

/** A rational time base: a pts of 1 lasts num/den seconds. */
export interface TimeBase {
  num: number;
  den: number;
}

/** The time base of every frame we hand out: MPEG-TS's 90 kHz clock. */
export const TIME_BASE_90K: TimeBase = { num: 1, den: 90_000 };

/**
 * One decoded video frame in the processor's pixel format (rgb24 unless it declared another):
 * `frameBytes(format, width, height)` bytes, laid out as pixel-format.ts describes.
 */
export interface VideoFrame {
  data: Uint8Array;
  format: PixelFormat;
  width: number;
  height: number;
  /** Presentation timestamp in `timeBase` units (taken from the decoder, never assumed). */
  pts: number;
  timeBase: TimeBase;
}

/** One block of decoded audio: interleaved float samples in [-1, 1]. */
export interface AudioFrame {
  data: Float32Array;
  sampleRate: number;
  channels: number;
  pts: number;
  timeBase: TimeBase;
}

export type TensorLayout = 'nchw' | 'nhwc';

export interface TensorFormat {
  /** Default 'nchw'. */
  layout?: TensorLayout;
  /** Value of a full-scale channel: 1 (the default) for [0,1], 255 for [0,255]. */
  scale?: 1 | 255;
  /** Per-channel (R,G,B) mean subtracted after scaling. */
  mean?: readonly [number, number, number];
  /** Per-channel (R,G,B) std the value is divided by after the mean. */
  std?: readonly [number, number, number];
}

/** Seconds represented by `pts` in `timeBase`. */
export function ptsSeconds(pts: number, timeBase: TimeBase): number {
  return (pts * timeBase.num) / timeBase.den;
}

/**
 * RGB24 bytes → Float32 tensor ([1,3,H,W] or [1,H,W,3]). Pass `out` to reuse a buffer
 * frame to frame (it must hold width*height*3 floats).
 */
export function rgbToTensor(data: Uint8Array, width: number, height: number, format: TensorFormat = {}, out?: Float32Array): Float32Array {
  const n = width * height;
  const tensor = out ?? new Float32Array(n * 3);
  if (tensor.length < n * 3) throw new RangeError(`tensor buffer holds ${tensor.length} floats, need ${n * 3}`);
  packedToTensor(data, n, 3, format, tensor);
  return tensor;
}

/** Float32 tensor → RGB24 bytes, undoing `format`, rounding and clamping to [0,255]. */
export function tensorToRgb(tensor: Float32Array, width: number, height: number, format: TensorFormat = {}, out?: Uint8Array): Uint8Array {
  const n = width * height;
  if (tensor.length < n * 3) throw new RangeError(`tensor holds ${tensor.length} floats, need ${n * 3} for ${width}x${height}x3`);
  const rgb = out ?? new Uint8Array(n * 3);
  const k = 255 / (format.scale ?? 1);
  const mean = format.mean ?? [0, 0, 0];
  const std = format.std ?? [1, 1, 1];
  const clamp = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));
  const nhwc = (format.layout ?? 'nchw') === 'nhwc';
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    for (let c = 0; c < 3; c++) {
      const v = nhwc ? tensor[j + c] : tensor[c * n + i];
      rgb[j + c] = clamp((v * std[c] + mean[c]) * k);
    }
  }
  return rgb;
}

/** Packed bytes with `step` bytes a pixel (3 or 4) → a 3-channel tensor of their first three. */
function packedToTensor(data: Uint8Array, n: number, step: number, format: TensorFormat, tensor: Float32Array): void {
  const k = (format.scale ?? 1) / 255;
  const mean = format.mean ?? [0, 0, 0];
  const std = format.std ?? [1, 1, 1];
  const a0 = k / std[0], a1 = k / std[1], a2 = k / std[2];
  const b0 = -mean[0] / std[0], b1 = -mean[1] / std[1], b2 = -mean[2] / std[2];
  const nhwc = (format.layout ?? 'nchw') === 'nhwc';
  for (let i = 0, j = 0, t = 0; i < n; i++, j += step, t += 3) {
    if (nhwc) {
      tensor[t] = data[j] * a0 + b0;
      tensor[t + 1] = data[j + 1] * a1 + b1;
      tensor[t + 2] = data[j + 2] * a2 + b2;
    } else {
      tensor[i] = data[j] * a0 + b0;
      tensor[n + i] = data[j + 1] * a1 + b1;
      tensor[2 * n + i] = data[j + 2] * a2 + b2;
    }
  }
}

/** Planar bytes (gray, or yuv420p's Y, U, V planes one after another) → the same layout in floats, plane p normalised with mean[p]/std[p]. */
function planarToTensor(data: Uint8Array, planeSizes: readonly number[], format: TensorFormat, tensor: Float32Array): void {
  const k = (format.scale ?? 1) / 255;
  const mean = format.mean ?? [0, 0, 0];
  const std = format.std ?? [1, 1, 1];
  let at = 0;
  planeSizes.forEach((size, p) => {
    const a = k / std[p], b = -mean[p] / std[p];
    for (const end = at + size; at < end; at++) tensor[at] = data[at] * a + b;
  });
}

/** The plane sizes of a planar format: [w*h] for gray, [Y, U, V] for yuv420p. */
function planeSizes(pf: PixelFormat, width: number, height: number): number[] {
  if (pf === 'gray') return [width * height];
  const c = ((width + 1) >> 1) * ((height + 1) >> 1);
  return [width * height, c, c];
}

/** Floats a tensor of a frame in `pf` holds: 3 a pixel for rgb24 and rgba (alpha is not in it), the frame's byte count for gray and yuv420p. */
export function tensorLength(pf: PixelFormat, width: number, height: number): number {
  return bytesPerPixel(pf) >= 3 ? width * height * 3 : frameBytes(pf, width, height);
}

/**
 * The frame's pixels as a Float32 tensor. rgb24 and rgba: R,G,B as rgbToTensor makes them
 * ([1,3,H,W] or [1,H,W,3]; rgba's alpha is left out). gray: [1,1,H,W] (layout does not
 * matter for one channel), mean[0]/std[0] apply. yuv420p: the frame's planes as they lie, Y
 * (H x W) then U then V (each ceil(H/2) x ceil(W/2)), normalised with mean/std [0], [1], [2];
 * the first H*W floats are a [1,1,H,W] luma tensor; layout does not apply. Pass `out` to reuse
 * a buffer frame to frame (tensorLength floats at least).
 */
export function frameToTensor(frame: VideoFrame, format: TensorFormat = {}, out?: Float32Array): Float32Array {
  const { width, height } = frame;
  const pf = frame.format ?? 'rgb24';
  const length = tensorLength(pf, width, height);
  const tensor = out ?? new Float32Array(length);
  if (tensor.length < length) throw new RangeError(`tensor buffer holds ${tensor.length} floats, need ${length}`);
  const step = bytesPerPixel(pf);
  if (step >= 3) packedToTensor(frame.data, width * height, step, format, tensor);
  else planarToTensor(frame.data, planeSizes(pf, width, height), format, tensor);
  return tensor;
}

/**
 * A new frame with the tensor's pixels (laid out as frameToTensor makes them for the source's
 * pixel format; rgba gets alpha 255), the source frame's format and timestamps, rounded and
 * clamped to [0,255]. `size` for an output of another size than the source.
 */
export function tensorToFrame(tensor: Float32Array, source: VideoFrame, format: TensorFormat = {}, size?: { width: number; height: number }): VideoFrame {
  const width = size?.width ?? source.width;
  const height = size?.height ?? source.height;
  const pf = source.format ?? 'rgb24';
  if (pf === 'rgb24') return { ...source, width, height, data: tensorToRgb(tensor, width, height, format) };
  const length = tensorLength(pf, width, height);
  if (tensor.length < length) throw new RangeError(`tensor holds ${tensor.length} floats, need ${length} for a ${width}x${height} ${pf} frame`);
  const data = new Uint8Array(frameBytes(pf, width, height));
  if (pf === 'rgba') {
    const rgb = tensorToRgb(tensor, width, height, format);
    for (let i = 0, j = 0; j < data.length; i += 3, j += 4) {
      data[j] = rgb[i];
      data[j + 1] = rgb[i + 1];
      data[j + 2] = rgb[i + 2];
      data[j + 3] = 255;
    }
  } else {
    const k = 255 / (format.scale ?? 1);
    const mean = format.mean ?? [0, 0, 0];
    const std = format.std ?? [1, 1, 1];
    let at = 0;
    planeSizes(pf, width, height).forEach((size, p) => {
      for (const end = at + size; at < end; at++) {
        const v = (tensor[at] * std[p] + mean[p]) * k;
        data[at] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
      }
    });
  }
  return { ...source, width, height, data };
}
