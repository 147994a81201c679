// index.js of a `trickle init --model` package: an ONNX model loaded once and run on every frame.
import { INVERT_MODEL_FILE } from './invert-model.js';

/** The model processor module: ES module, no build step, typed through JSDoc and `// @ts-check`. */
export function modelProcessorModule(name: string): string {
  return `// @ts-check
// ${name}: a trickle processor that runs an ONNX model on every frame. The model shipped here,
// ${INVERT_MODEL_FILE}, computes out = 1 - image over float32 [1,3,H,W] RGB in [0,1] (any H and W):
// the colour negative. Replace it with your own model; see README.md.
import { fileURLToPath } from 'node:url';
import { createSession, defineProcessor, frameToTensor, tensorToFrame } from 'trickcli';

const MODEL = fileURLToPath(new URL('./${INVERT_MODEL_FILE}', import.meta.url));

/**
 * How a frame becomes the model's input, and its output a frame again: planar RGB in [0,1].
 * @type {import('trickcli').TensorFormat}
 */
const FORMAT = { layout: 'nchw', scale: 1 };

/** @typedef {import('trickcli').ModelRunner} ModelRunner */

/**
 * The model, loaded once per process and shared by every stream.
 * @type {import('trickcli').SessionHandle | undefined}
 */
let model;

/** The loaded model, or an error that says load() has not run. */
function loaded() {
  if (!model) throw new Error('the model is not loaded (load() has not finished)');
  return model.session;
}

export default defineProcessor({
  name: '${name}',
  description: 'runs ${INVERT_MODEL_FILE} (the colour negative) on every frame',

  // Once per process, before any stream: onnxruntime opens the model on ctx.device (auto: CUDA
  // when it works here, else CPU). Frames pass through untouched until it returns.
  async load(ctx) {
    model = await createSession(MODEL, { device: ctx.device, log: ctx.log });
    const { provider, inputs, outputs } = model.session;
    ctx.log.info('${name} model loaded', { provider, input: inputs[0]?.name, output: outputs[0]?.name });
  },

  // Once per stream: a runner holds this stream's input and output buffers, reused frame to frame.
  start(params, ctx) {
    ctx.state.runner = loaded().createRunner();
  },

  // Every video frame: RGB24 bytes → tensor (written straight into the runner's input buffer) →
  // model → tensor → a new frame with the input's timestamps (values rounded and clamped).
  async video(frame, ctx) {
    const session = loaded();
    const runner = /** @type {ModelRunner} */ (ctx.state.runner);
    const input = runner.input(session.inputs[0].name, [1, 3, frame.height, frame.width]);
    frameToTensor(frame, FORMAT, input);
    const outputs = await runner.run();
    return tensorToFrame(outputs[session.outputs[0].name].data, frame, FORMAT);
  },

  // The stream ended: free its buffers (the model stays loaded for the next stream).
  stop(ctx) {
    /** @type {ModelRunner | undefined} */ (ctx.state.runner)?.close();
  },
});
`;
}
