// Messages between a ModelSession (main thread) and its inference worker thread.
import type { ProviderName } from './device.js';

/** One model input or output as the model declares it; a string dim is symbolic (dynamic). */
export interface TensorInfo {
  name: string;
  /** 'float32', 'uint8', …; 'non-tensor' for sequences and maps. */
  type: string;
  shape: (number | string)[];
}

export interface OpenRequest {
  op: 'open';
  /** A file path, or the model's bytes. */
  model: string | Uint8Array;
  provider: ProviderName;
  deviceId: number;
}

export interface OpenReply {
  op: 'opened';
  provider: ProviderName;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

/** One float32 input: the worker copies `dims` worth of floats out of `buffer`. */
export interface RunInput {
  name: string;
  dims: number[];
  buffer: SharedArrayBuffer;
}

export interface RunRequest {
  op: 'run';
  id: number;
  runner: number;
  inputs: RunInput[];
}

export interface RunOutput {
  name: string;
  dims: number[];
  type: string;
  /** Present only when the worker (re)allocated the shared buffer this output is written to. */
  buffer?: SharedArrayBuffer;
}

export interface RunReply {
  op: 'ran';
  id: number;
  outputs: RunOutput[];
}

export interface ReleaseRequest {
  op: 'release';
  runner: number;
}

export interface CloseRequest {
  op: 'close';
}

export interface ErrorReply {
  op: 'error';
  /** Run id, or -1 for open/close failures. */
  id: number;
  message: string;
}

export type WorkerRequest = OpenRequest | RunRequest | ReleaseRequest | CloseRequest;
export type WorkerReply = OpenReply | RunReply | ErrorReply | { op: 'closed' };
