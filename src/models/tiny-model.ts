// Builds the bytes of a one-node ONNX model (Identity on float32[1,3]) for cheap provider probes.

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

/** A length-delimited protobuf field (wire type 2). */
function field(num: number, body: number[] | string): number[] {
  const bytes = typeof body === 'string' ? [...Buffer.from(body, 'utf8')] : body;
  return [...varint((num << 3) | 2), ...varint(bytes.length), ...bytes];
}

/** A varint protobuf field (wire type 0). */
function int(num: number, value: number): number[] {
  return [...varint(num << 3), ...varint(value)];
}

function floatTensorInfo(name: string, dims: number[]): number[] {
  const shape = dims.flatMap((d) => field(1, int(1, d)));
  const tensorType = [...int(1, 1), ...field(2, shape)];
  return [...field(1, name), ...field(2, field(1, tensorType))];
}

/** Why: `trickle doctor` must check providers without a model file; this is the smallest valid model. */
export function identityModelBytes(): Uint8Array {
  const node = [...field(1, 'x'), ...field(2, 'y'), ...field(4, 'Identity')];
  const graph = [...field(1, node), ...field(2, 'probe'), ...field(11, floatTensorInfo('x', [1, 3])), ...field(12, floatTensorInfo('y', [1, 3]))];
  const opset = [...field(1, ''), ...int(2, 13)];
  return Uint8Array.from([...int(1, 7), ...field(7, graph), ...field(8, opset)]);
}
