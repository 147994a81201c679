// Which onnxruntime execution providers actually load here (for `trickle doctor`).
import { identityModelBytes } from './tiny-model.js';
import { loadOnnxruntime } from './runtime.js';

export interface ProviderProbe {
  name: 'cpu' | 'cuda';
  loads: boolean;
  error?: string;
}

/** Why: onnxruntime-node does not fall back by itself, so doctor tries each provider on a tiny in-memory model. */
export async function probeProviders(): Promise<ProviderProbe[]> {
  let ort;
  try {
    ort = await loadOnnxruntime();
  } catch (err) {
    const error = `onnxruntime-node cannot load: ${(err as Error)?.message ?? err}`;
    return [
      { name: 'cpu', loads: false, error },
      { name: 'cuda', loads: false, error },
    ];
  }
  const bytes = identityModelBytes();
  const probe = async (name: 'cpu' | 'cuda'): Promise<ProviderProbe> => {
    try {
      const session = await ort.InferenceSession.create(bytes, { executionProviders: [name], logSeverityLevel: 4 });
      const x = new ort.Tensor('float32', Float32Array.from([1, 2, 3]), [1, 3]);
      const out = await session.run({ x });
      await session.release();
      const ok = (out.y?.data as Float32Array | undefined)?.[2] === 3;
      return ok ? { name, loads: true } : { name, loads: false, error: 'probe model returned a wrong result' };
    } catch (err) {
      return { name, loads: false, error: (err as Error)?.message ?? String(err) };
    }
  };
  return [await probe('cpu'), await probe('cuda')];
}
