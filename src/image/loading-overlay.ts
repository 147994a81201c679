// The loading overlay: the input dimmed (or black) with a bar sweeping across, so a viewer sees a model warming up.
import type { VideoFrame } from '../media/frames.js';

export type LoadingMode = 'passthrough' | 'overlay' | 'black';
export const LOADING_MODES: readonly LoadingMode[] = ['passthrough', 'overlay', 'black'];

/** One sweep of the bar across the frame takes this long (wall-clock ms). */
const SWEEP_MS = 1500;
/** The input's brightness under the overlay (a quarter: clearly "not the output yet", still recognisable). */
const DIM_SHIFT = 2;

/**
 * A new frame (same size and timestamps) showing `mode` at time `nowMs`: the input at a quarter
 * of its brightness, or black, with a white bar (a fifth of the width, 1/24 of the height, at
 * two thirds down) moving left to right. `passthrough` returns the input itself.
 */
export function loadingFrame(frame: VideoFrame, mode: LoadingMode, nowMs: number): VideoFrame {
  if (mode === 'passthrough') return frame;
  const { width, height } = frame;
  const out = new Uint8Array(width * height * 3);
  if (mode === 'overlay') {
    const src = frame.data;
    for (let i = 0; i < out.length; i++) out[i] = src[i]! >> DIM_SHIFT;
  }
  const barW = Math.max(2, Math.round(width / 5));
  const barH = Math.max(2, Math.round(height / 24));
  const travel = width + barW;
  const x0 = Math.round(((nowMs % SWEEP_MS) / SWEEP_MS) * travel) - barW;
  const y0 = Math.min(height - barH, Math.round((height * 2) / 3));
  const from = Math.max(0, x0);
  const to = Math.min(width, x0 + barW);
  for (let y = y0; y < y0 + barH; y++) out.fill(255, (y * width + from) * 3, (y * width + to) * 3);
  return { ...frame, data: out };
}
