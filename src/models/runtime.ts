// Lazy access to onnxruntime-node: the native library loads only when a model is first used.
import { createRequire } from 'node:module';

export type Ort = typeof import('onnxruntime-node');

let loading: Promise<Ort> | undefined;

/** Imports onnxruntime-node once, with its own console logging turned down (errors reach us as exceptions). */
export function loadOnnxruntime(): Promise<Ort> {
  loading ??= import('onnxruntime-node').then((mod) => {
    const ort = ((mod as { default?: Ort }).default ?? mod) as Ort;
    // ORT prints provider-load failures straight to stderr; we report them ourselves, once.
    ort.env.logLevel = 'fatal';
    return ort;
  });
  return loading;
}

/** onnxruntime-node's version, read from its package.json without loading the native library. */
export function onnxruntimeVersion(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return (require('onnxruntime-node/package.json') as { version?: string }).version;
  } catch {
    return undefined;
  }
}
