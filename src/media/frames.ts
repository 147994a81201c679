// Frame types handed to processors, and the tensor helpers that convert them for models.

/** A rational time base: a pts of 1 lasts num/den seconds. */
export interface TimeBase {
  num: number;
  den: number;
}

/** The time base of every frame we hand out: MPEG-TS's 90 kHz clock. */
export const TIME_BASE_90K: TimeBase = { num: 1, den: 90_000 };

/** One decoded video frame: packed RGB24 (HWC), `width*height*3` bytes. */
export interface VideoFrame {
  data: Uint8Array;
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
  const k = (format.scale ?? 1) / 255;
  const mean = format.mean ?? [0, 0, 0];
  const std = format.std ?? [1, 1, 1];
  const a0 = k / std[0], a1 = k / std[1], a2 = k / std[2];
  const b0 = -mean[0] / std[0], b1 = -mean[1] / std[1], b2 = -mean[2] / std[2];
  if ((format.layout ?? 'nchw') === 'nhwc') {
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      tensor[j] = data[j] * a0 + b0;
      tensor[j + 1] = data[j + 1] * a1 + b1;
      tensor[j + 2] = data[j + 2] * a2 + b2;
    }
  } else {
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      tensor[i] = data[j] * a0 + b0;
      tensor[n + i] = data[j + 1] * a1 + b1;
      tensor[2 * n + i] = data[j + 2] * a2 + b2;
    }
  }
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

/** The frame's pixels as a Float32 tensor (see rgbToTensor). */
export function frameToTensor(frame: VideoFrame, format: TensorFormat = {}, out?: Float32Array): Float32Array {
  return rgbToTensor(frame.data, frame.width, frame.height, format, out);
}

/** A new frame with the tensor's pixels and the source frame's timestamps. */
export function tensorToFrame(tensor: Float32Array, source: VideoFrame, format: TensorFormat = {}, size?: { width: number; height: number }): VideoFrame {
  const width = size?.width ?? source.width;
  const height = size?.height ?? source.height;
  return { ...source, width, height, data: tensorToRgb(tensor, width, height, format) };
}
