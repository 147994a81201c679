// The loading overlay: the input dimmed (or black) with a bar sweeping across, so a viewer sees a model warming up.
import { bytesPerPixel, frameBytes, yuvPlanes } from '../media/pixel-format.js';
import type { VideoFrame } from '../media/frames.js';

export type LoadingMode = 'passthrough' | 'overlay' | 'black';
export const LOADING_MODES: readonly LoadingMode[] = ['passthrough', 'overlay', 'black'];

/** One sweep of the bar across the frame takes this long (wall-clock ms). */
const SWEEP_MS = 1500;
/** The input's brightness under the overlay (a quarter: clearly "not the output yet", still recognisable). */
const DIM_SHIFT = 2;
/** yuv420p black and white luma, and neutral chroma (limited range). */
const Y_BLACK = 16;
const Y_WHITE = 235;
const CHROMA_ZERO = 128;

/** `src` quartered towards `zero` (a level that stays), into `out`. */
function dim(src: Uint8Array, out: Uint8Array, zero: number): void {
  for (let i = 0; i < out.length; i++) out[i] = zero + ((src[i]! - zero) >> DIM_SHIFT);
}

/**
 * A new frame (same size, format and timestamps) showing `mode` at time `nowMs`: the input at a
 * quarter of its brightness, or black, with a white bar (a fifth of the width, 1/24 of the
 * height, at two thirds down) moving left to right. `passthrough` returns the input itself.
 * rgba's alpha is set opaque; yuv420p dims luma towards black and chroma towards neutral.
 */
export function loadingFrame(frame: VideoFrame, mode: LoadingMode, nowMs: number): VideoFrame {
  if (mode === 'passthrough') return frame;
  const { width, height } = frame;
  const format = frame.format ?? 'rgb24';
  const out = new Uint8Array(frameBytes(format, width, height));
  const yuv = format === 'yuv420p';
  if (yuv) {
    const src = yuvPlanes(frame.data, width, height);
    const dst = yuvPlanes(out, width, height);
    if (mode === 'overlay') {
      dim(src.y, dst.y, Y_BLACK);
      dim(src.u, dst.u, CHROMA_ZERO);
      dim(src.v, dst.v, CHROMA_ZERO);
    } else {
      dst.y.fill(Y_BLACK);
      dst.u.fill(CHROMA_ZERO);
      dst.v.fill(CHROMA_ZERO);
    }
  } else if (mode === 'overlay') dim(frame.data, out, 0);
  const step = yuv ? 1 : bytesPerPixel(format);
  if (format === 'rgba') for (let i = 3; i < out.length; i += 4) out[i] = 255;
  const barW = Math.max(2, Math.round(width / 5));
  const barH = Math.max(2, Math.round(height / 24));
  const travel = width + barW;
  const x0 = Math.round(((nowMs % SWEEP_MS) / SWEEP_MS) * travel) - barW;
  const y0 = Math.min(height - barH, Math.round((height * 2) / 3));
  const from = Math.max(0, x0);
  const to = Math.min(width, x0 + barW);
  const white = yuv ? Y_WHITE : 255;
  // In yuv420p the bar is drawn in luma only; the chroma under it (neutral or dimmed) stays.
  for (let y = y0; y < y0 + barH; y++) out.fill(white, (y * width + from) * step, (y * width + to) * step);
  return { ...frame, format, data: out };
}
