// A loaded model living in its own worker thread; runners hold per-stream input/output buffers reused frame to frame.
import { Worker } from 'node:worker_threads';
import { TrickleError } from '../errors.js';
import type { ProviderName } from './device.js';
import type { OpenRequest, RunOutput, TensorInfo, WorkerReply, WorkerRequest } from './worker-protocol.js';

export type { TensorInfo } from './worker-protocol.js';

/** One output of a run: a view over a shared buffer that the next run of the same runner overwrites. */
export interface OutputTensor {
  dims: number[];
  type: string;
  /** Empty for non-float32 outputs (not carried across threads). */
  data: Float32Array;
}

const CLOSE_TIMEOUT_MS = 2000;

/** The worker side of a model: opens it, runs it, closes it. Created by createSession(). */
export class ModelSession {
  readonly path: string;
  provider: ProviderName = 'cpu';
  inputs: TensorInfo[] = [];
  outputs: TensorInfo[] = [];
  #worker: Worker;
  #nextId = 1;
  #nextRunner = 1;
  #pending = new Map<number, { resolve: (v: RunOutput[]) => void; reject: (e: Error) => void }>();
  #opened?: { resolve: () => void; reject: (e: Error) => void };
  #closing?: Promise<void>;
  #dead?: Error;

  /** Starts the worker thread; call open() next. */
  constructor(path: string) {
    this.path = path;
    this.#worker = new Worker(new URL('./inference-worker.js', import.meta.url));
    this.#worker.unref();
    this.#worker.on('message', (msg: WorkerReply) => this.#onMessage(msg));
    this.#worker.on('error', (err) => this.#fail(err));
    this.#worker.on('exit', () => this.#fail(new Error('inference worker exited')));
  }

  /** Loads the model on `provider`; rejects with onnxruntime's message when it cannot. */
  open(model: string | Uint8Array, provider: ProviderName, deviceId: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#opened = { resolve, reject };
      this.#worker.ref();
      this.#post({ op: 'open', model, provider, deviceId } satisfies OpenRequest);
    }).finally(() => this.#idle());
  }

  /** A per-stream handle with its own buffers, so streams sharing this model never clobber each other. */
  createRunner(): ModelRunner {
    return new ModelRunner(this, this.#nextRunner++);
  }

  /** @internal Sends one run to the worker. */
  _run(runner: number, inputs: { name: string; dims: number[]; buffer: SharedArrayBuffer }[]): Promise<RunOutput[]> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#nextId++;
    this.#worker.ref();
    return new Promise<RunOutput[]>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#post({ op: 'run', id, runner, inputs });
    }).finally(() => this.#idle());
  }

  /** @internal Frees a runner's buffers in the worker. */
  _release(runner: number): void {
    if (!this.#dead) this.#post({ op: 'release', runner });
  }

  /** Releases the model and stops the worker; idempotent, bounded by a 2 s timeout. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#dead) return;
      const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
      this.#post({ op: 'close' });
      const timer = setTimeout(() => void this.#worker.terminate(), CLOSE_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    })();
    return this.#closing;
  }

  #post(msg: WorkerRequest): void {
    this.#worker.postMessage(msg);
  }

  #idle(): void {
    // The worker keeps the process alive only while something waits on it.
    if (this.#pending.size === 0 && !this.#opened) this.#worker.unref();
  }

  #onMessage(msg: WorkerReply): void {
    if (msg.op === 'opened') {
      this.provider = msg.provider;
      this.inputs = msg.inputs;
      this.outputs = msg.outputs;
      const o = this.#opened;
      this.#opened = undefined;
      o?.resolve();
    } else if (msg.op === 'ran') {
      const p = this.#pending.get(msg.id);
      this.#pending.delete(msg.id);
      p?.resolve(msg.outputs);
    } else if (msg.op === 'error') {
      const err = new Error(msg.message);
      if (msg.id === -1 && this.#opened) {
        const o = this.#opened;
        this.#opened = undefined;
        o.reject(err);
        return;
      }
      const p = this.#pending.get(msg.id);
      this.#pending.delete(msg.id);
      p?.reject(new TrickleError('TRICKLE_MODEL', `inference failed for ${this.path}: ${msg.message}`, { cause: err }));
    }
  }

  #fail(err: Error): void {
    this.#dead ??= err;
    const o = this.#opened;
    this.#opened = undefined;
    o?.reject(err);
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }
}

/** Holds one stream's input and output buffers for a ModelSession; reused while shapes stay the same. */
export class ModelRunner {
  #session: ModelSession;
  #id: number;
  #inputs = new Map<string, { dims: number[]; data: Float32Array }>();
  #outputs = new Map<string, Float32Array>();

  constructor(session: ModelSession, id: number) {
    this.#session = session;
    this.#id = id;
  }

  /** The float32 buffer to fill for input `name` with shape `dims`: the same array every call while dims are unchanged. */
  input(name: string, dims: readonly number[]): Float32Array {
    const have = this.#inputs.get(name);
    if (have && sameDims(have.dims, dims)) return have.data;
    const size = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(new SharedArrayBuffer(size * 4));
    this.#inputs.set(name, { dims: [...dims], data });
    return data;
  }

  /** Runs the model on the buffers filled via input(); outputs stay valid until this runner's next run. */
  async run(): Promise<Record<string, OutputTensor>> {
    const inputs = [...this.#inputs].map(([name, v]) => ({ name, dims: v.dims, buffer: v.data.buffer as SharedArrayBuffer }));
    const outputs = await this.#session._run(this.#id, inputs);
    const result: Record<string, OutputTensor> = {};
    for (const o of outputs) {
      if (o.buffer) this.#outputs.set(o.name, new Float32Array(o.buffer));
      result[o.name] = { dims: o.dims, type: o.type, data: o.type === 'float32' ? this.#outputs.get(o.name)! : new Float32Array(0) };
    }
    return result;
  }

  /** Frees this runner's buffers in the worker (the session stays open for other streams). */
  close(): void {
    this.#inputs.clear();
    this.#outputs.clear();
    this.#session._release(this.#id);
  }
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
