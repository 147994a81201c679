// ModelSession/createSession against real onnxruntime on CPU: providers, device errors, buffer reuse, event loop.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRequire } from 'node:module';
import { isTrickleError } from '../../src/errors.js';
import { createSession } from '../../src/models/create-session.js';
import { probeProviders } from '../../src/models/providers.js';
import { onnxruntimeVersion } from '../../src/models/runtime.js';
import { textDetectorModelPath } from '../../src/models/text-detector.js';
import { modelDir, tintGraph, conv3x3Graph } from '../helpers/onnx-graphs.js';
import { recordingLogger } from './frames.js';

const models = modelDir();
let tint: string;
let conv: string;
// Decided before the tests are declared: on a host where CUDA loads, the no-GPU tests are skipped.
const cudaLoads = (await probeProviders()).find((p) => p.name === 'cuda')?.loads ?? false;

before(async () => {
  tint = models.write('tint.onnx', tintGraph([0.2, 0, 0]));
  conv = models.write('conv.onnx', conv3x3Graph([0, 0, 0, 0, 1, 0, 0, 0, 0]));
});
after(() => models.cleanup());

describe('models: providers', () => {
  it('probes cpu as loading and reports the installed onnxruntime version', async () => {
    const probes = await probeProviders();
    assert.deepEqual(probes.map((p) => p.name), ['cpu', 'cuda']);
    assert.equal(probes[0].loads, true, probes[0].error);
    const pkg = createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string };
    assert.equal(onnxruntimeVersion(), pkg.version);
  });
});

describe('models: createSession', () => {
  it('--device auto falls back to CPU with exactly one warning naming the reason', { skip: cudaLoads && 'CUDA loads here' }, async () => {
    const log = recordingLogger();
    const a = await createSession(tint, { device: 'auto', log });
    const b = await createSession(conv, { device: 'auto', log });
    try {
      assert.equal(a.session.provider, 'cpu');
      assert.equal(b.session.provider, 'cpu');
      const warns = log.lines.filter((l) => l.level === 'warn');
      assert.equal(warns.length, 1, JSON.stringify(log.lines));
      assert.match(warns[0].msg, /CUDA unavailable, running models on CPU \(.+\)/);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('--device cuda without a usable GPU fails with TRICKLE_DEVICE_UNAVAILABLE and the setup hint', { skip: cudaLoads && 'CUDA loads here' }, async () => {
    await assert.rejects(createSession(tint, { device: 'cuda:0' }), (err: unknown) => {
      assert.ok(isTrickleError(err, 'TRICKLE_DEVICE_UNAVAILABLE'), String(err));
      assert.match(err.message, /CUDA/);
      assert.match(err.hint ?? '', /npm run setup:gpu/);
      assert.match(err.hint ?? '', /cuDNN 9/);
      return true;
    });
  });

  it('a missing model file is TRICKLE_MODEL naming the path', async () => {
    await assert.rejects(createSession('/nonexistent/model.onnx', { device: 'cpu' }), (err: unknown) => {
      assert.ok(isTrickleError(err, 'TRICKLE_MODEL'), String(err));
      assert.match(err.message, /\/nonexistent\/model\.onnx/);
      return true;
    });
  });

  it('loads a model once per path and device, and keeps it until the last handle closes', async () => {
    const a = await createSession(tint, { device: 'cpu' });
    const b = await createSession(tint, { device: 'cpu' });
    assert.equal(a.session, b.session);
    await a.close();
    const r = b.session.createRunner();
    r.input('image', [1, 3, 1, 1]).set([0.1, 0.5, 0.9]);
    const out = await r.run();
    assert.deepEqual([...out.out.data].map((v) => Math.round(v * 100) / 100), [0.3, 0.5, 0.9]);
    await b.close();
    const c = await createSession(tint, { device: 'cpu' });
    assert.notEqual(c.session, a.session);
    await c.close();
  });

  it('reads input/output names, types and symbolic dims from the model', async () => {
    const h = await createSession(tint, { device: 'cpu' });
    try {
      assert.deepEqual(h.session.inputs, [{ name: 'image', type: 'float32', shape: [1, 3, 'h', 'w'] }]);
      assert.deepEqual(h.session.outputs, [{ name: 'out', type: 'float32', shape: [1, 3, 'h', 'w'] }]);
    } finally {
      await h.close();
    }
  });
});

describe('models: runner', () => {
  it('reuses the same input and output Float32Arrays run after run while shapes stay the same', async () => {
    const h = await createSession(tint, { device: 'cpu' });
    const r = h.session.createRunner();
    try {
      const in1 = r.input('image', [1, 3, 2, 2]);
      in1.fill(0.25);
      const out1 = (await r.run()).out;
      const first = [...out1.data];
      const in2 = r.input('image', [1, 3, 2, 2]);
      assert.equal(in2, in1);
      in2.fill(0.5);
      const out2 = (await r.run()).out;
      assert.equal(out2.data, out1.data);
      assert.deepEqual(out2.dims, [1, 3, 2, 2]);
      assert.ok(Math.abs(first[0] - 0.45) < 1e-6 && Math.abs(out2.data[0] - 0.7) < 1e-6, `${first[0]} ${out2.data[0]}`);
      const in3 = r.input('image', [1, 3, 4, 4]);
      assert.notEqual(in3, in1);
      in3.fill(0);
      const out3 = (await r.run()).out;
      assert.deepEqual(out3.dims, [1, 3, 4, 4]);
      assert.equal(out3.data.length, 48);
    } finally {
      r.close();
      await h.close();
    }
  });

  it('keeps the event loop turning while a model runs', async () => {
    const h = await createSession(textDetectorModelPath(), { device: 'cpu' });
    const r = h.session.createRunner();
    try {
      r.input('x', [1, 3, 320, 640]).fill(0.2);
      await r.run(); // warm-up
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      let runMs = 0;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await r.run();
        runMs += performance.now() - t0;
      }
      clearInterval(timer);
      // A blocking run would let at most one tick through per run; a free loop ticks about once per ms.
      assert.ok(ticks > 6, `only ${ticks} timer ticks during ${runMs.toFixed(0)} ms of inference`);
    } finally {
      r.close();
      await h.close();
    }
  });
});
