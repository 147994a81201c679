// The tiny ONNX model `trickle init --model` ships, as bytes: nothing at run time builds graphs.

/** Where the model goes inside the generated package. */
export const INVERT_MODEL_FILE = 'model/invert.onnx';

/**
 * An ONNX model (IR 8, opset 13, 135 bytes) with one node, out = Sub(one, image), where `one` is
 * a float32 scalar initializer holding 1, input `image` and output `out` are float32 [1,3,h,w]
 * with symbolic h and w: the colour negative of RGB in [0,1]. These are the bytes that
 * invertGraph() in test/helpers/onnx-graphs.ts serialises with onnx-proto; a test keeps the two equal.
 */
const INVERT_MODEL_BASE64 =
  'CAgSDXRyaWNrbGUtdGVzdHM6bgoWCgNvbmUKBWltYWdlEgNvdXQiA1N1YhIBZyoNEAEiBAAAgD9CA29uZVohCgVpbWFnZRIYChYIARISCgIIAQoCCAMKAxIBaAoDEgF3Yh8KA291dBIYChYIARISCgIIAQoCCAMKAxIBaAoDEgF3QgQKABAN';

/** The model file's bytes. */
export function invertModelBytes(): Uint8Array {
  return new Uint8Array(Buffer.from(INVERT_MODEL_BASE64, 'base64'));
}
