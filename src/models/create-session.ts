// createSession(): one ModelSession per model file and device per process, with auto → CPU fallback.
import path from 'node:path';
import { FieldError, TrickleError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { DeviceSpec } from '../processor/types.js';
import { cudaHint, deviceKey, parseDevice, type ParsedDevice } from './device.js';
import { ModelSession } from './session.js';

export interface CreateSessionOptions {
  device?: DeviceSpec | string;
  log?: Logger;
}

/** A shared handle on a cached ModelSession: close() releases this handle, the last one closes the model. */
export interface SessionHandle {
  readonly session: ModelSession;
  close(): Promise<void>;
}

interface Entry {
  session: Promise<ModelSession>;
  refs: number;
}

const cache = new Map<string, Entry>();
let warnedFallback = false;

async function openOn(modelPath: string, device: ParsedDevice, provider: 'cpu' | 'cuda'): Promise<ModelSession> {
  const session = new ModelSession(modelPath);
  try {
    await session.open(modelPath, provider, device.deviceId);
    return session;
  } catch (err) {
    await session.close();
    throw err;
  }
}

function modelError(modelPath: string, err: unknown): TrickleError {
  const msg = (err as Error)?.message ?? String(err);
  return new TrickleError('TRICKLE_MODEL', `cannot load model ${modelPath}: ${msg}`, {
    cause: err,
    hint: 'check that the file exists and is an ONNX model onnxruntime can read',
  });
}

async function open(modelPath: string, device: ParsedDevice, log: Logger): Promise<ModelSession> {
  if (device.kind === 'cpu') {
    return openOn(modelPath, device, 'cpu').catch((err) => Promise.reject(modelError(modelPath, err)));
  }
  try {
    return await openOn(modelPath, device, 'cuda');
  } catch (cudaErr) {
    const reason = (cudaErr as Error)?.message ?? String(cudaErr);
    // Is the model itself the problem? Then CPU fails too, and that error is the useful one.
    let cpu: ModelSession;
    try {
      cpu = await openOn(modelPath, device, 'cpu');
    } catch (cpuErr) {
      throw modelError(modelPath, cpuErr);
    }
    if (device.kind === 'cuda') {
      await cpu.close();
      // The short fix rides in the message too: wrappers (processor load errors) may drop the hint.
      const key = deviceKey(device);
      const msg = ([f]: readonly string[]) =>
        `${f} ${key}: CUDA is not usable here (${reason}); on a GPU host run \`npm run setup:gpu\` (needs NVIDIA driver, CUDA 12, cuDNN 9) or use ${f} cpu`;
      throw new FieldError('TRICKLE_DEVICE_UNAVAILABLE', ['device'], msg, { cause: cudaErr, hint: ([f]) => cudaHint(f), details: { device: key } });
    }
    if (!warnedFallback) {
      warnedFallback = true;
      log.warn(`CUDA unavailable, running models on CPU (${reason}); for GPU: npm run setup:gpu`, { device: 'auto' });
    }
    return cpu;
  }
}

/**
 * Why: a model is loaded once per process and shared by every stream. Returns a handle on the cached
 * session for `modelPath` on `device` (auto tries CUDA then CPU with one warning; cuda fails without a GPU).
 */
export async function createSession(modelPath: string, options: CreateSessionOptions = {}): Promise<SessionHandle> {
  const device = parseDevice(options.device);
  const file = path.resolve(modelPath);
  const key = `${file}@${deviceKey(device)}`;
  let entry = cache.get(key);
  if (!entry) {
    entry = { session: open(file, device, options.log ?? silentLogger), refs: 0 };
    cache.set(key, entry);
    entry.session.catch(() => cache.get(key) === entry && cache.delete(key));
  }
  entry.refs++;
  const session = await entry.session.catch((err) => {
    entry!.refs--;
    throw err;
  });
  let closed = false;
  const e = entry;
  return {
    session,
    async close() {
      if (closed) return;
      closed = true;
      if (--e.refs > 0) return;
      if (cache.get(key) === e) cache.delete(key);
      await session.close();
    },
  };
}
