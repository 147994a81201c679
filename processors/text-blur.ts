// Built-in `text-blur`: blurs text and number plates found by the PP-OCRv4 text detector (runs on CPU or CUDA).
import { BlurScratch, blurRect, type Rect } from '../src/image/box-blur.js';
import { createSession, type SessionHandle } from '../src/models/create-session.js';
import { TextDetector, textDetectorModelPath } from '../src/models/text-detector.js';
import { defineProcessor } from '../src/processor/types.js';

interface StreamState {
  detector?: TextDetector;
  boxes: Rect[];
  /** Frames since the last detection started. */
  since: number;
  /** Whether a detection has finished on this stream. */
  detected: boolean;
  scratch: BlurScratch;
  /** A detection running in the background (async mode). */
  inflight?: Promise<void>;
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
    /** Detect in the background and blur with the latest boxes: frames never wait for the model (boxes lag ~1–2 frames). */
    async: true,
  },
  async load(ctx) {
    model ??= await createSession(textDetectorModelPath(), { device: ctx.device, log: ctx.log });
    ctx.log.info('text detector loaded', { provider: model.session.provider });
  },
  async start(_params, ctx) {
    model ??= await createSession(textDetectorModelPath(), { device: ctx.device, log: ctx.log });
    const state: StreamState = { detector: new TextDetector(model.session), boxes: [], since: Infinity, detected: false, scratch: new BlurScratch() };
    ctx.state.textBlur = state;
  },
  async video(frame, ctx) {
    const s = ctx.state.textBlur as StreamState | undefined;
    if (!s?.detector) return;
    const p = ctx.params;
    const every = Math.max(1, Math.round(Number(p.every) || 1));
    const opts = { threshold: Number(p.threshold), detectSize: Number(p.detectSize), margin: Number(p.margin) };
    const due = ++s.since >= every;
    // The first detection of a stream is always awaited, so no frame goes out unblurred for want of boxes.
    if (due && (!(p.async === true || p.async === 'true') || !s.detected)) {
      s.since = 0;
      s.boxes = await s.detector.detect(frame, opts);
      s.detected = true;
    } else if (due && !s.inflight) {
      // detect() copies the pixels it needs before its first await, so blurring this frame below is safe.
      s.since = 0;
      s.inflight = s.detector
        .detect(frame, opts)
        .then((boxes) => void (s.boxes = boxes))
        .catch((err: Error) => ctx.log.warn(`text detection failed: ${err.message}`))
        .finally(() => (s.inflight = undefined));
    }
    for (const box of s.boxes) {
      const radius = Math.max(Number(p.blur), box.height / 4);
      blurRect(frame.data, frame.width, frame.height, box, radius, 3, s.scratch);
    }
    return frame;
  },
  async stop(ctx) {
    const s = ctx.state.textBlur as StreamState | undefined;
    await s?.inflight;
    s?.detector?.close();
    if (s) s.detector = undefined;
  },
});
