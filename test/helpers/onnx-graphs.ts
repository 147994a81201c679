// Tiny ONNX models built in the test itself (onnx-proto), so tests know exactly what each graph computes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

type Dim = number | string;

function valueInfo(name: string, dims: Dim[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function floats(name: string, dims: number[], values: number[]): onnxProto.onnx.ITensorProto {
  return { name, dims, dataType: FLOAT, floatData: values };
}

/** Serialises a one-graph model (IR 8, opset 13). */
export function modelBytes(
  nodes: onnxProto.onnx.INodeProto[],
  inputs: onnxProto.onnx.IValueInfoProto[],
  outputs: onnxProto.onnx.IValueInfoProto[],
  initializer: onnxProto.onnx.ITensorProto[] = [],
): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'trickle-tests',
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name: 'g', node: nodes, input: inputs, output: outputs, initializer },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** out = clip(image + [r,g,b], 0, 1) over NCHW [1,3,H,W] (dims symbolic unless given). */
export function tintGraph(add: [number, number, number] = [0.2, 0, 0], size?: { width: number; height: number }): Uint8Array {
  const h: Dim = size?.height ?? 'h';
  const w: Dim = size?.width ?? 'w';
  return modelBytes(
    [
      { opType: 'Add', input: ['image', 'bias'], output: ['sum'] },
      { opType: 'Clip', input: ['sum', 'lo', 'hi'], output: ['out'] },
    ],
    [valueInfo('image', [1, 3, h, w])],
    [valueInfo('out', [1, 3, h, w])],
    [floats('bias', [1, 3, 1, 1], add), floats('lo', [], [0]), floats('hi', [], [1])],
  );
}

/** out = 1 - image over NCHW [1,3,H,W] with symbolic H and W: the negative (`trickle init --model` ships these bytes). */
export function invertGraph(): Uint8Array {
  return modelBytes(
    [{ opType: 'Sub', input: ['one', 'image'], output: ['out'] }],
    [valueInfo('image', [1, 3, 'h', 'w'])],
    [valueInfo('out', [1, 3, 'h', 'w'])],
    [floats('one', [], [1])],
  );
}

/** The tint graph in NHWC: out = clip(image + [r,g,b], 0, 1) over [1,H,W,3]. */
export function tintNhwcGraph(add: [number, number, number]): Uint8Array {
  return modelBytes(
    [
      { opType: 'Add', input: ['image', 'bias'], output: ['sum'] },
      { opType: 'Clip', input: ['sum', 'lo', 'hi'], output: ['out'] },
    ],
    [valueInfo('image', [1, 'h', 'w', 3])],
    [valueInfo('out', [1, 'h', 'w', 3])],
    [floats('bias', [1, 1, 1, 3], add), floats('lo', [], [0]), floats('hi', [], [1])],
  );
}

/** A depthwise 3x3 convolution (pads 1, zeros outside) with the same `kernel` (row-major, 9 values) on each channel. */
export function conv3x3Graph(kernel: number[]): Uint8Array {
  return modelBytes(
    [{ opType: 'Conv', input: ['image', 'weight'], output: ['out'], attribute: [
      { name: 'group', type: onnx.AttributeProto.AttributeType.INT, i: 3 },
      { name: 'pads', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 1, 1, 1] },
      { name: 'kernel_shape', type: onnx.AttributeProto.AttributeType.INTS, ints: [3, 3] },
    ] }],
    [valueInfo('image', [1, 3, 'h', 'w'])],
    [valueInfo('out', [1, 3, 'h', 'w'])],
    [floats('weight', [3, 1, 3, 3], [...kernel, ...kernel, ...kernel])],
  );
}

/** mask = the red channel ([1,1,H,W]) via a 1x1 convolution with weights [1,0,0]. */
export function redMaskGraph(): Uint8Array {
  return modelBytes(
    [{ opType: 'Conv', input: ['image', 'weight'], output: ['mask'] }],
    [valueInfo('image', [1, 3, 'h', 'w'])],
    [valueInfo('mask', [1, 1, 'h', 'w'])],
    [floats('weight', [1, 3, 1, 1], [1, 0, 0])],
  );
}

/** An Identity model whose input has rank 3 ([1,3,8]): the onnx processor must refuse it by name. */
export function wrongRankGraph(): Uint8Array {
  return modelBytes([{ opType: 'Identity', input: ['x'], output: ['y'] }], [valueInfo('x', [1, 3, 8])], [valueInfo('y', [1, 3, 8])]);
}

/** A temp folder of model files; call cleanup() in after(). */
export function modelDir(): { write(name: string, bytes: Uint8Array): string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'trickle-models-'));
  return {
    write(name, bytes) {
      const file = path.join(dir, name);
      writeFileSync(file, bytes);
      return file;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
