// The `onnx` processor's params and the check that a model fits them (TRICKLE_MODEL errors say expected vs actual).
import { FieldError, TrickleError } from '../errors.js';
import type { TensorLayout } from '../media/frames.js';
import { parseColor, type MaskEffect } from '../image/mask-mix.js';
import type { TensorInfo } from './worker-protocol.js';

export interface ImageModelConfig {
  layout: TensorLayout;
  /** 'model' (the model's fixed size, else the frame's), 'frame', or an explicit size. */
  size: 'model' | 'frame' | { width: number; height: number };
  range: 1 | 255;
  mean?: [number, number, number];
  std?: [number, number, number];
  output: 'image' | 'mask';
  effect: MaskEffect;
}

/** A param of the onnx processor whose value it cannot use: `params.NAME=VALUE: expected …`. */
function badParam(name: string, value: unknown, expected: string): FieldError {
  return new FieldError('TRICKLE_USAGE', [`params.${name}`], ([f]) => `${f}=${value}: expected ${expected}`);
}

function triple(name: string, v: unknown): [number, number, number] | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const parts = Array.isArray(v) ? v.map(Number) : String(v).split(',').map((p) => Number(p.trim()));
  if (parts.length === 1 && Number.isFinite(parts[0])) return [parts[0], parts[0], parts[0]];
  if (parts.length !== 3 || !parts.every(Number.isFinite)) throw badParam(name, v, 'one number or three comma-separated numbers (R,G,B)');
  return [parts[0], parts[1], parts[2]];
}

/** Why: params arrive as strings/numbers from flags, config and live updates; this validates them once. */
export function parseImageModelConfig(p: Record<string, unknown>): ImageModelConfig {
  const layout = String(p.layout ?? 'nchw').toLowerCase();
  if (layout !== 'nchw' && layout !== 'nhwc') throw badParam('layout', p.layout, 'nchw or nhwc');
  const sizeRaw = String(p.size ?? 'model').toLowerCase();
  let size: ImageModelConfig['size'];
  if (sizeRaw === 'model' || sizeRaw === 'frame') size = sizeRaw;
  else {
    const m = /^(\d+)x(\d+)$/.exec(sizeRaw);
    if (!m || Number(m[1]) === 0 || Number(m[2]) === 0) throw badParam('size', p.size, 'model, frame or WxH');
    size = { width: Number(m[1]), height: Number(m[2]) };
  }
  const range = Number(p.range ?? 1);
  if (range !== 1 && range !== 255) throw badParam('range', p.range, '1 or 255');
  const output = String(p.output ?? 'image').toLowerCase();
  if (output !== 'image' && output !== 'mask') throw badParam('output', p.output, 'image or mask');
  let color: readonly [number, number, number] | undefined;
  try {
    color = parseColor(String(p.blend ?? ''));
  } catch (err) {
    throw new FieldError('TRICKLE_USAGE', ['params.blend'], ([f]) => `${f}: ${(err as Error).message}`);
  }
  const alpha = Number(p.alpha ?? 0.5);
  const effect: MaskEffect = color ? { kind: 'blend', color, alpha: Number.isFinite(alpha) ? alpha : 0.5 } : { kind: 'blur', radius: Number(p.blur ?? 15) };
  return { layout, size, range, mean: triple('mean', p.mean), std: triple('std', p.std), output, effect };
}

const fmt = (t: TensorInfo) => `${t.type}[${t.shape.join(',')}]`;
const fits = (dim: number | string | undefined, want: number) => typeof dim === 'string' || dim === want || dim === -1;

/** The fixed [height, width] a model input declares, or undefined where either is dynamic. */
export function fixedSize(input: TensorInfo, layout: TensorLayout): { width: number; height: number } | undefined {
  const [h, w] = layout === 'nchw' ? [input.shape[2], input.shape[3]] : [input.shape[1], input.shape[2]];
  return typeof h === 'number' && typeof w === 'number' && h > 0 && w > 0 ? { width: w, height: h } : undefined;
}

/** Why: a model that does not fit should fail at load with what we expected and what it declares. */
export function checkModelFits(path: string, inputs: TensorInfo[], outputs: TensorInfo[], cfg: ImageModelConfig): void {
  const want = cfg.layout === 'nchw' ? 'float32[1,3,H,W]' : 'float32[1,H,W,3]';
  const fail = (what: string, expected: string, actual: string) =>
    new FieldError('TRICKLE_MODEL', ['params.layout', 'params.size', 'params.output'], () => `model ${path} does not fit the onnx processor: ${what} expected ${expected}, got ${actual}`, {
      hint: ([layout, size, output]) => `set ${layout}=nchw|nhwc, ${size}=model|frame|WxH, ${output}=image|mask to match the model`,
      details: { expected, actual },
    });
  const input = inputs[0];
  if (!input) throw fail('input', want, 'a model with no inputs');
  if (inputs.length > 1) throw fail('inputs', `one input ${want}`, inputs.map(fmt).join(', '));
  const c = cfg.layout === 'nchw' ? 1 : 3;
  if (input.type !== 'float32' || input.shape.length !== 4 || !fits(input.shape[0], 1) || !fits(input.shape[c], 3)) {
    throw fail(`input "${input.name}"`, `${want} (layout=${cfg.layout})`, fmt(input));
  }
  const output = outputs[0];
  if (!output) throw fail('output', 'one output', 'none');
  if (output.type !== 'float32') throw fail(`output "${output.name}"`, 'float32', fmt(output));
  if (cfg.output === 'image') {
    if (output.shape.length !== 4 || !fits(output.shape[c], 3)) {
      throw fail(`output "${output.name}" (output=image)`, cfg.layout === 'nchw' ? 'float32[1,3,H,W]' : 'float32[1,H,W,3]', fmt(output));
    }
  } else if (output.shape.length < 2 || output.shape.length > 4) {
    throw fail(`output "${output.name}" (output=mask)`, 'float32[1,1,H,W], [1,H,W] or [H,W]', fmt(output));
  }
}

/** Reads an actual output's spatial size; throws when a run produced a shape that cannot be used. */
export function outputGeometry(path: string, dims: number[], cfg: ImageModelConfig): { width: number; height: number; channels: number } {
  const bad = (expected: string) =>
    new TrickleError('TRICKLE_MODEL', `model ${path} returned [${dims.join(',')}], expected ${expected} for output=${cfg.output}`, {
      details: { expected, actual: dims },
    });
  if (cfg.output === 'image') {
    if (dims.length !== 4 || dims[0] !== 1) throw bad(cfg.layout === 'nchw' ? '[1,3,H,W]' : '[1,H,W,3]');
    const [ch, h, w] = cfg.layout === 'nchw' ? [dims[1], dims[2], dims[3]] : [dims[3], dims[1], dims[2]];
    if (ch !== 3) throw bad(cfg.layout === 'nchw' ? '[1,3,H,W]' : '[1,H,W,3]');
    return { width: w, height: h, channels: 3 };
  }
  const spatial = [...dims];
  if (spatial.length > 2 && spatial[0] === 1) spatial.shift();
  if (spatial.length === 3 && spatial[0] === 1) spatial.shift();
  else if (spatial.length === 3 && spatial[2] === 1) spatial.pop();
  if (spatial.length !== 2) throw bad('one channel: [1,1,H,W], [1,H,W,1], [1,H,W] or [H,W]');
  return { height: spatial[0], width: spatial[1], channels: 1 };
}
