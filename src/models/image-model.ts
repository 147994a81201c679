// Runs an image-to-image or image-to-mask ONNX model on RGB frames, with buffers reused frame to frame.
import { rgbToTensor, tensorToRgb, type VideoFrame } from '../media/frames.js';
import { applyMask, MaskScratch } from '../image/mask-mix.js';
import { resizePlane, resizeRgb } from '../image/resize.js';
import { FieldError } from '../errors.js';
import { fixedSize, outputGeometry, type ImageModelConfig } from './image-model-config.js';
import type { ModelRunner, ModelSession } from './session.js';

/** One stream's use of an image model: its runner plus resize/convert scratch buffers. */
export class ImageModel {
  #session: ModelSession;
  #runner: ModelRunner;
  #resized = new Uint8Array(0);
  #outRgb = new Uint8Array(0);
  #weights = new Float32Array(0);
  #mask = new MaskScratch();

  constructor(session: ModelSession) {
    this.#session = session;
    this.#runner = session.createRunner();
  }

  /** The tensor size a frame is fed at under `cfg` (the model's fixed size wins where it has one). */
  inputSize(frame: VideoFrame, cfg: ImageModelConfig): { width: number; height: number } {
    const fixed = fixedSize(this.#session.inputs[0], cfg.layout);
    const want = cfg.size === 'model' ? (fixed ?? frame) : cfg.size === 'frame' ? frame : cfg.size;
    if (fixed && (fixed.width !== want.width || fixed.height !== want.height)) {
      const asked = cfg.size === 'frame' ? 'frame' : `${want.width}x${want.height}`;
      throw new FieldError('TRICKLE_MODEL', ['params.size'], ([f]) => `model ${this.#session.path} takes a fixed ${fixed.width}x${fixed.height} input; ${f}=${asked} asks for ${want.width}x${want.height}`, {
        hint: ([f]) => `use ${f}=model to resize frames to the model input`,
        details: { expected: fixed, actual: want },
      });
    }
    return { width: want.width, height: want.height };
  }

  /**
   * Why: the onnx processor's per-frame work. Writes the result into `frame` in place when it keeps
   * the frame's size (and returns it), or returns a new frame when the model changes the size.
   */
  async process(frame: VideoFrame, cfg: ImageModelConfig): Promise<VideoFrame> {
    const size = this.inputSize(frame, cfg);
    const fmt = { layout: cfg.layout, scale: cfg.range, mean: cfg.mean, std: cfg.std };
    let pixels = frame.data;
    if (size.width !== frame.width || size.height !== frame.height) {
      if (this.#resized.length < size.width * size.height * 3) this.#resized = new Uint8Array(size.width * size.height * 3);
      pixels = resizeRgb(frame.data, frame.width, frame.height, size.width, size.height, this.#resized);
    }
    const dims = cfg.layout === 'nchw' ? [1, 3, size.height, size.width] : [1, size.height, size.width, 3];
    rgbToTensor(pixels, size.width, size.height, fmt, this.#runner.input(this.#session.inputs[0].name, dims));
    const result = await this.#runner.run();
    const out = result[this.#session.outputs[0].name];
    const geo = outputGeometry(this.#session.path, out.dims, cfg);
    if (cfg.output === 'mask') {
      const n = frame.width * frame.height;
      if (this.#weights.length < n) this.#weights = new Float32Array(n);
      resizePlane(out.data, geo.width, geo.height, frame.width, frame.height, this.#weights);
      applyMask(frame.data, frame.width, frame.height, this.#weights, cfg.effect, this.#mask);
      return frame;
    }
    if (geo.width === frame.width && geo.height === frame.height) {
      tensorToRgb(out.data, geo.width, geo.height, fmt, frame.data);
      return frame;
    }
    if (this.#outRgb.length < geo.width * geo.height * 3) this.#outRgb = new Uint8Array(geo.width * geo.height * 3);
    const rgb = tensorToRgb(out.data, geo.width, geo.height, fmt, this.#outRgb);
    if (geo.width === size.width && geo.height === size.height) {
      // Same size as what we fed: the model kept the image geometry, so scale it back to the frame.
      resizeRgb(rgb, geo.width, geo.height, frame.width, frame.height, frame.data);
      return frame;
    }
    // A model that changes the size (an upscaler…) sets the output size; that frame owns new bytes.
    return { ...frame, width: geo.width, height: geo.height, data: rgb.slice(0, geo.width * geo.height * 3) };
  }

  /** Frees this stream's buffers in the worker. */
  close(): void {
    this.#runner.close();
  }
}
