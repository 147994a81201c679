// The built-in processors' pixel and sample arithmetic on synthetic frames (the pipeline tests check decoded output).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadProcessor } from '../../src/processor/loader.js';
import type { ProcessorContext } from '../../src/processor/types.js';
import { TIME_BASE_90K, type AudioFrame, type VideoFrame } from '../../src/media/frames.js';
import { silentLogger } from '../../src/logger.js';

function ctx(params: Record<string, unknown>): ProcessorContext {
  return { streamId: 't', log: silentLogger, device: 'cpu', params, state: {}, sendData() {}, emitEvent() {}, signal: new AbortController().signal };
}

/** A 2x2 frame: pixels (10,20,30) (250,100,0) (0,0,0) (255,255,255). */
function frame(): VideoFrame {
  return { data: Uint8Array.from([10, 20, 30, 250, 100, 0, 0, 0, 0, 255, 255, 255]), width: 2, height: 2, pts: 3000, timeBase: TIME_BASE_90K };
}

async function run(name: string, params: Record<string, unknown> = {}): Promise<number[]> {
  const def = await loadProcessor(name);
  const f = frame();
  const out = (await def.video!(f, ctx({ ...def.params, ...params }))) ?? f;
  assert.equal(out.pts, 3000);
  return [...out.data];
}

test('red-tint and blue-tint add intensity*255 to one channel, clamped, leaving the others', async () => {
  assert.deepEqual(await run('red-tint'), [87, 20, 30, 255, 100, 0, 77, 0, 0, 255, 255, 255]);
  assert.deepEqual(await run('blue-tint', { intensity: 0.5 }), [10, 20, 158, 250, 100, 128, 0, 0, 128, 255, 255, 255]);
  assert.deepEqual(await run('red-tint', { intensity: 0 }), [10, 20, 30, 250, 100, 0, 0, 0, 0, 255, 255, 255]);
});

test('brightness adds to all channels (negative darkens), clamped', async () => {
  assert.deepEqual(await run('brightness', { intensity: 0.1 }), [36, 46, 56, 255, 126, 26, 26, 26, 26, 255, 255, 255]);
  assert.deepEqual(await run('brightness', { intensity: -0.1 }), [0, 0, 5, 225, 75, 0, 0, 0, 0, 230, 230, 230]);
});

test('grayscale makes R=G=B at intensity 1 and changes nothing at 0', async () => {
  const g = await run('grayscale');
  for (let i = 0; i < 12; i += 3) assert.ok(g[i] === g[i + 1] && g[i + 1] === g[i + 2], `pixel ${i / 3}: ${g.slice(i, i + 3)}`);
  assert.deepEqual(await run('grayscale', { intensity: 0 }), [...frame().data]);
});

test('invert negates at 1; sepia warms (R ≥ G ≥ B) at 1', async () => {
  assert.deepEqual(await run('invert'), [245, 235, 225, 5, 155, 255, 255, 255, 255, 0, 0, 0]);
  const s = await run('sepia');
  assert.ok(s[0] >= s[1] && s[1] >= s[2]);
  assert.deepEqual(s.slice(9), [255, 255, 238]);
});

test('flip swaps rows, mirror swaps columns, both off with enabled=false', async () => {
  assert.deepEqual(await run('flip'), [0, 0, 0, 255, 255, 255, 10, 20, 30, 250, 100, 0]);
  assert.deepEqual(await run('mirror'), [250, 100, 0, 10, 20, 30, 255, 255, 255, 0, 0, 0]);
  assert.deepEqual(await run('flip', { enabled: false }), [...frame().data]);
});

test('audio-gain scales samples by gain (default 0.8)', async () => {
  const def = await loadProcessor('audio-gain');
  const a: AudioFrame = { data: Float32Array.from([0.5, -1, 0.25]), sampleRate: 48000, channels: 1, pts: 0, timeBase: TIME_BASE_90K };
  const out = (await def.audio!(a, ctx({ ...def.params }))) ?? a;
  assert.deepEqual([...out.data].map((x) => Math.round(x * 1000) / 1000), [0.4, -0.8, 0.2]);
});
