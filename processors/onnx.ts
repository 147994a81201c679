// Built-in `onnx`: runs any image-to-image (or image-to-mask) ONNX model on every frame; its `model` param names the file.
import { FieldError } from '../src/errors.js';
import { createSession, type SessionHandle } from '../src/models/create-session.js';
import { ImageModel } from '../src/models/image-model.js';
import { checkModelFits, parseImageModelConfig, type ImageModelConfig } from '../src/models/image-model-config.js';
import type { Logger } from '../src/logger.js';
import { defineProcessor, type Params } from '../src/processor/types.js';

interface StreamState {
  model?: ImageModel;
  cfg: ImageModelConfig;
}

let handle: SessionHandle | undefined;

async function open(params: Params, device: string, log: Logger): Promise<SessionHandle> {
  const path = String(params.model ?? '');
  if (!path) throw new FieldError('TRICKLE_USAGE', ['params.model'], ([f]) => `the onnx processor needs ${f}=PATH (an .onnx file)`);
  if (handle) return handle;
  const h = await createSession(path, { device, log });
  try {
    checkModelFits(h.session.path, h.session.inputs, h.session.outputs, parseImageModelConfig(params));
  } catch (err) {
    await h.close();
    throw err;
  }
  handle = h;
  log.info('onnx model loaded', { model: h.session.path, provider: h.session.provider });
  return h;
}

export default defineProcessor({
  name: 'onnx',
  description: 'runs an ONNX image model on every frame (float32 [1,3,H,W] RGB in [0,1] by default)',
  params: {
    /** Path to the .onnx file (required). */
    model: '',
    /** Tensor layout: nchw or nhwc. */
    layout: 'nchw',
    /** model (its fixed input size, else the frame's), frame, or WxH. */
    size: 'model',
    /** 1 for values in [0,1], 255 for [0,255]. */
    range: 1,
    /** Per-channel mean and std (R,G,B), e.g. 0.485,0.456,0.406; empty for none. */
    mean: '',
    std: '',
    /** image: the output replaces the frame; mask: the output (one channel, 0..1) blurs or blends the frame. */
    output: 'image',
    /** Mask mode: blur radius in pixels … */
    blur: 15,
    /** … or a colour (r,g,b or #rrggbb) blended with `alpha` where the mask is high. */
    blend: '',
    alpha: 0.5,
  },
  async load(ctx) {
    await open(ctx.params, ctx.device, ctx.log);
  },
  async start(params, ctx) {
    const h = await open(params, ctx.device, ctx.log);
    const state: StreamState = { model: new ImageModel(h.session), cfg: parseImageModelConfig(ctx.params) };
    ctx.state.onnx = state;
  },
  async video(frame, ctx) {
    const s = ctx.state.onnx as StreamState | undefined;
    if (!s?.model) return;
    return s.model.process(frame, s.cfg);
  },
  update(changed, ctx) {
    const s = ctx.state.onnx as StreamState | undefined;
    if ('model' in changed) ctx.log.warn('the onnx processor cannot switch models mid-stream; restart it with the new model param');
    if (s) s.cfg = parseImageModelConfig(ctx.params);
  },
  stop(ctx) {
    const s = ctx.state.onnx as StreamState | undefined;
    s?.model?.close();
    if (s) s.model = undefined;
  },
});
