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
  return { data: Uint8Array.from([10, 20, 30, 250, 100, 0, 0, 0, 0, 255, 255, 255]), format: 'rgb24', width: 2, height: 2, pts: 3000, timeBase: TIME_BASE_90K };
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

/**
 * A 4x2 yuv420p frame: Y rows [16 60 120 235] [30 90 200 250], U [100 200], V [128 0]
 * (chroma is 2x1: one sample per 2x2 block).
 */
function yuvFrame(): VideoFrame {
  const data = Uint8Array.from([16, 60, 120, 235, 30, 90, 200, 250, 100, 200, 128, 0]);
  return { data, format: 'yuv420p', width: 4, height: 2, pts: 3000, timeBase: TIME_BASE_90K };
}

async function runYuv(name: string, params: Record<string, unknown> = {}): Promise<number[]> {
  const def = await loadProcessor(name);
  assert.equal(def.format, 'yuv420p', `${name} declares yuv420p`);
  const f = yuvFrame();
  const out = (await def.video!(f, ctx({ ...def.params, ...params }))) ?? f;
  assert.equal(out.format, 'yuv420p');
  return [...out.data];
}

test('the built-ins that only move pixels or work on luma and chroma declare yuv420p; the channel arithmetic ones keep rgb24', async () => {
  for (const name of ['passthrough', 'audio-gain', 'grayscale', 'invert', 'flip', 'mirror']) assert.equal((await loadProcessor(name)).format, 'yuv420p', name);
  for (const name of ['red-tint', 'blue-tint', 'brightness', 'sepia']) assert.equal((await loadProcessor(name)).format ?? 'rgb24', 'rgb24', name);
});

test('grayscale sets chroma neutral (128) at intensity 1, halves its distance at 0.5, keeps luma, changes nothing at 0', async () => {
  const y = [16, 60, 120, 235, 30, 90, 200, 250];
  assert.deepEqual(await runYuv('grayscale'), [...y, 128, 128, 128, 128]);
  assert.deepEqual(await runYuv('grayscale', { intensity: 0.5 }), [...y, 114, 164, 128, 64]);
  assert.deepEqual(await runYuv('grayscale', { intensity: 0 }), [...yuvFrame().data]);
});

test('invert mirrors luma about the middle of 16..235 and chroma about 128 at 1 (clamped); nothing at 0', async () => {
  assert.deepEqual(await runYuv('invert'), [235, 191, 131, 16, 221, 161, 51, 1, 156, 56, 128, 255]);
  assert.deepEqual(await runYuv('invert', { intensity: 0 }), [...yuvFrame().data]);
});

test('flip swaps rows and mirror swaps columns in every plane; both off with enabled=false', async () => {
  assert.deepEqual(await runYuv('flip'), [30, 90, 200, 250, 16, 60, 120, 235, 100, 200, 128, 0]);
  assert.deepEqual(await runYuv('mirror'), [235, 120, 60, 16, 250, 200, 90, 30, 200, 100, 0, 128]);
  assert.deepEqual(await runYuv('flip', { enabled: false }), [...yuvFrame().data]);
  assert.deepEqual(await runYuv('mirror', { enabled: false }), [...yuvFrame().data]);
});

test('sepia warms (R ≥ G ≥ B) at 1', async () => {
  const s = await run('sepia');
  assert.ok(s[0] >= s[1] && s[1] >= s[2]);
  assert.deepEqual(s.slice(9), [255, 255, 238]);
});

test('audio-gain scales samples by gain (default 0.8)', async () => {
  const def = await loadProcessor('audio-gain');
  const a: AudioFrame = { data: Float32Array.from([0.5, -1, 0.25]), sampleRate: 48000, channels: 1, pts: 0, timeBase: TIME_BASE_90K };
  const out = (await def.audio!(a, ctx({ ...def.params }))) ?? a;
  assert.deepEqual([...out.data].map((x) => Math.round(x * 1000) / 1000), [0.4, -0.8, 0.2]);
});
