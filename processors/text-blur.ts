// Built-in `text-blur`: blurs text and number plates found by the PP-OCRv4 text detector (runs on CPU or CUDA).
import { BlurScratch, blurRect, type Rect } from '../src/image/box-blur.js';
import { createSession, type SessionHandle } from '../src/models/create-session.js';
import { TextDetector, textDetectorModelPath } from '../src/models/text-detector.js';
import { defineProcessor } from '../src/processor/types.js';

interface StreamState {
  detector?: TextDetector;
  boxes: Rect[];
  frames: number;
  scratch: BlurScratch;
}

let model: SessionHandle | undefined;

export default defineProcessor({
  name: 'text-blur',
  description: 'blurs text and number plates (PP-OCRv4 text detector)',
  params: {
    /** Probability above which the detector's map counts as text. */
    threshold: 0.3,
    /** Blur radius in pixels (at least a quarter of the box height). */
    blur: 12,
    /** Run the detector every N frames; frames in between reuse the last boxes. */
    every: 2,
    /** Long side of the detector's input (multiple of 32). */
    detectSize: 512,
    /** Padding around each box as a fraction of its height. */
    margin: 0.5,
  },
  async load(ctx) {
    model ??= await createSession(textDetectorModelPath(), { device: ctx.device, log: ctx.log });
    ctx.log.info('text detector loaded', { provider: model.session.provider });
  },
  async start(_params, ctx) {
    model ??= await createSession(textDetectorModelPath(), { device: ctx.device, log: ctx.log });
    const state: StreamState = { detector: new TextDetector(model.session), boxes: [], frames: 0, scratch: new BlurScratch() };
    ctx.state.textBlur = state;
  },
  async video(frame, ctx) {
    const s = ctx.state.textBlur as StreamState | undefined;
    if (!s?.detector) return;
    const p = ctx.params;
    const every = Math.max(1, Math.round(Number(p.every) || 1));
    if (s.frames++ % every === 0) {
      s.boxes = await s.detector.detect(frame, {
        threshold: Number(p.threshold),
        detectSize: Number(p.detectSize),
        margin: Number(p.margin),
      });
    }
    for (const box of s.boxes) {
      const radius = Math.max(Number(p.blur), box.height / 4);
      blurRect(frame.data, frame.width, frame.height, box, radius, 3, s.scratch);
    }
    return frame;
  },
  stop(ctx) {
    const s = ctx.state.textBlur as StreamState | undefined;
    s?.detector?.close();
    if (s) s.detector = undefined;
  },
});
