// Worker thread that owns one onnxruntime session: session.run is synchronous in onnxruntime-node and would stall the event loop.
import { parentPort } from 'node:worker_threads';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { loadOnnxruntime, type Ort } from './runtime.js';
import type { RunOutput, RunRequest, TensorInfo, WorkerReply, WorkerRequest } from './worker-protocol.js';

/** Per runner and tensor name: private buffers reused run to run (ORT cannot read shared memory). */
interface Slot {
  key: string;
  local: Float32Array;
  tensor: Tensor;
  shared?: Float32Array;
  /** Input shapes this output slot was sized for. */
  inKey?: string;
}

let ort: Ort;
let session: InferenceSession | undefined;
const inputSlots = new Map<string, Slot>();
const outputSlots = new Map<string, Slot>();
const port = parentPort!;

function reply(msg: WorkerReply): void {
  port.postMessage(msg);
}

function describe(meta: readonly InferenceSession.ValueMetadata[]): TensorInfo[] {
  return meta.map((m) =>
    m.isTensor ? { name: m.name, type: String(m.type), shape: [...m.shape] } : { name: m.name, type: 'non-tensor', shape: [] },
  );
}

function slot(map: Map<string, Slot>, id: string, dims: number[]): Slot {
  const key = dims.join('x');
  let s = map.get(id);
  if (!s || s.key !== key) {
    const local = new Float32Array(dims.reduce((a, b) => a * b, 1));
    s = { key, local, tensor: new ort.Tensor('float32', local, dims) };
    map.set(id, s);
  }
  return s;
}

async function run(req: RunRequest): Promise<void> {
  if (!session) throw new Error('model is not open');
  const feeds: Record<string, Tensor> = {};
  for (const input of req.inputs) {
    const s = slot(inputSlots, `${req.runner}/${input.name}`, input.dims);
    s.local.set(new Float32Array(input.buffer, 0, s.local.length));
    feeds[input.name] = s.tensor;
  }
  // Preallocated outputs once their shapes are known from a first run with the same input shapes.
  const inKey = req.inputs.map((i) => i.dims.join('x')).join('|');
  const fetches: Record<string, Tensor> = {};
  let known = true;
  for (const name of session.outputNames) {
    const s = outputSlots.get(`${req.runner}/${name}`);
    if (s && s.inKey === inKey) fetches[name] = s.tensor;
    else known = false;
  }
  const result = known ? await session.run(feeds, fetches) : await session.run(feeds);
  const outputs: RunOutput[] = [];
  for (const name of session.outputNames) {
    const t = result[name];
    if (t.type !== 'float32') {
      outputs.push({ name, dims: [...t.dims], type: t.type });
      continue;
    }
    const id = `${req.runner}/${name}`;
    let s = outputSlots.get(id);
    const data = t.data as Float32Array;
    const fresh = !s || s.inKey !== inKey || s.local.length !== data.length;
    if (fresh) {
      s = slot(outputSlots, id, [...t.dims]);
      s.inKey = inKey;
      s.shared = new Float32Array(new SharedArrayBuffer(data.length * 4));
    }
    // With preallocated fetches ORT wrote into s.local; the first run returned its own array.
    s!.shared!.set(known ? s!.local : data);
    outputs.push({ name, dims: [...t.dims], type: t.type, buffer: fresh ? (s!.shared!.buffer as SharedArrayBuffer) : undefined });
  }
  reply({ op: 'ran', id: req.id, outputs });
}

async function handle(msg: WorkerRequest): Promise<void> {
  switch (msg.op) {
    case 'open': {
      ort = await loadOnnxruntime();
      const options: InferenceSession.SessionOptions = {
        executionProviders: msg.provider === 'cuda' ? [{ name: 'cuda', deviceId: msg.deviceId }] : ['cpu'],
        logSeverityLevel: 4,
      };
      session =
        typeof msg.model === 'string'
          ? await ort.InferenceSession.create(msg.model, options)
          : await ort.InferenceSession.create(msg.model, options);
      reply({ op: 'opened', provider: msg.provider, inputs: describe(session.inputMetadata), outputs: describe(session.outputMetadata) });
      return;
    }
    case 'run':
      try {
        await run(msg);
      } catch (err) {
        reply({ op: 'error', id: msg.id, message: (err as Error)?.message ?? String(err) });
      }
      return;
    case 'release':
      for (const map of [inputSlots, outputSlots]) for (const k of [...map.keys()]) if (k.startsWith(`${msg.runner}/`)) map.delete(k);
      return;
    case 'close':
      await session?.release();
      session = undefined;
      reply({ op: 'closed' });
      port.close();
      return;
  }
}

// One message at a time: runs never overlap, so per-runner buffers are never written twice at once.
let queue: Promise<void> = Promise.resolve();
port.on('message', (msg: WorkerRequest) => {
  queue = queue.then(() =>
    handle(msg).catch((err) => reply({ op: 'error', id: -1, message: (err as Error)?.message ?? String(err) })),
  );
});
