// Pins the library's public API: an accidental export (or a lost one) fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from '../../src/index.js';

const EXPECTED = [
  'Decoder',
  'Encoder',
  'PIXEL_FORMATS',
  'Publisher',
  'RelayRequestError',
  'START_CURRENT',
  'START_NEXT',
  'Subscriber',
  'TIME_BASE_90K',
  'TrickleError',
  'TsSegmenter',
  'builtinProcessors',
  'createPipeline',
  'createRelay',
  'createSession',
  'createWorker',
  'defineProcessor',
  'frameBytes',
  'frameToTensor',
  'gpuInfo',
  'gpuStats',
  'isTrickleError',
  'keepRegistered',
  'loadProcessor',
  'onnxruntimeVersion',
  'probeChannel',
  'probeProviders',
  'ptsSeconds',
  'publishTs',
  'registerOnce',
  'resolveFfmpeg',
  'resolveFfprobe',
  'resolveParams',
  'rgbToTensor',
  'runLoad',
  'silentLogger',
  'tensorLength',
  'tensorToFrame',
  'tensorToRgb',
  'yuvPlanes',
];

test('the package exports exactly the documented names', () => {
  assert.deepEqual(Object.keys(api).sort(), EXPECTED);
});

test('the package entry point is the compiled index and loads without onnxruntime', async () => {
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { exports: { '.': string } };
  assert.equal(pkg.exports['.'], './dist/src/index.js');
  const { createRequire } = await import('node:module');
  const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('onnxruntime'));
  assert.deepEqual(loaded, [], 'onnxruntime-node must load lazily, only when a model is used');
});

test('the documented built-in processors are all there', () => {
  const names = api.builtinProcessors();
  for (const n of ['passthrough', 'red-tint', 'blue-tint', 'grayscale', 'sepia', 'brightness', 'invert', 'flip', 'mirror', 'audio-gain']) {
    assert.ok(names.includes(n), n);
  }
});
