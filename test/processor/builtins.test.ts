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

test('the built-ins that move pixels, work on luma and chroma or tint one channel declare yuv420p; brightness and sepia keep rgb24', async () => {
  for (const name of ['passthrough', 'audio-gain', 'grayscale', 'invert', 'flip', 'mirror', 'red-tint', 'blue-tint']) assert.equal((await loadProcessor(name)).format, 'yuv420p', name);
  for (const name of ['brightness', 'sepia']) assert.equal((await loadProcessor(name)).format ?? 'rgb24', 'rgb24', name);
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

// BT.601 limited range, the way a decoder turns yuv420p into RGB (chroma shared by a 2x2 block,
// each channel rounded and clamped) and an encoder turns RGB back.
function toRgb(y: number, u: number, v: number): number[] {
  const l = 1.164383 * (y - 16);
  return [l + 1.596027 * (v - 128), l - 0.391762 * (u - 128) - 0.812968 * (v - 128), l + 2.017232 * (u - 128)].map((x) => Math.max(0, Math.min(255, Math.round(x))));
}
const toY = ([r, g, b]: number[]) => 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255;
const toU = ([r, g, b]: number[]) => 128 + (-37.797 * r - 74.203 * g + 112 * b) / 255;
const toV = ([r, g, b]: number[]) => 128 + (112 * r - 93.786 * g - 18.214 * b) / 255;

/**
 * What the RGB way changes in a yuv420p frame when `channel` (0 R, 2 B) gets `add`, clamped:
 * each pixel goes to RGB, is tinted, and comes back; luma changes per pixel, chroma by the
 * block's mean change. (Changes, not values: a round trip through RGB alone moves pixels by its
 * own rounding and clamping, which a tint done in YUV does not repeat.)
 */
function rgbWayChanges(data: Uint8Array, w: number, h: number, channel: number, add: number): { y: number[]; u: number[]; v: number[] } {
  const cw = (w + 1) >> 1;
  const ch = (h + 1) >> 1;
  const y: number[] = [];
  const u: number[] = new Array(cw * ch).fill(0);
  const v: number[] = new Array(cw * ch).fill(0);
  const n: number[] = new Array(cw * ch).fill(0);
  for (let row = 0; row < h; row++) {
    for (let col = 0; col < w; col++) {
      const ci = (row >> 1) * cw + (col >> 1);
      const rgb = toRgb(data[row * w + col], data[w * h + ci], data[w * h + cw * ch + ci]);
      const tinted = rgb.slice();
      tinted[channel] = Math.max(0, Math.min(255, tinted[channel] + add));
      y.push(toY(tinted) - toY(rgb));
      u[ci] += toU(tinted) - toU(rgb);
      v[ci] += toV(tinted) - toV(rgb);
      n[ci]++;
    }
  }
  return { y, u: u.map((x, i) => x / n[i]), v: v.map((x, i) => x / n[i]) };
}

async function tintChanges(name: string, intensity: number, data: Uint8Array, w: number, h: number): Promise<{ y: number[]; u: number[]; v: number[] }> {
  const def = await loadProcessor(name);
  const f: VideoFrame = { data: data.slice(), format: 'yuv420p', width: w, height: h, pts: 3000, timeBase: TIME_BASE_90K };
  const out = (await def.video!(f, ctx({ ...def.params, intensity }))) ?? f;
  const cs = ((w + 1) >> 1) * ((h + 1) >> 1);
  const diff = (from: number, count: number) => Array.from({ length: count }, (_, i) => out.data[from + i] - data[from + i]);
  return { y: diff(0, w * h), u: diff(w * h, cs), v: diff(w * h + cs, cs) };
}

function assertWithinOne(actual: { y: number[]; u: number[]; v: number[] }, expected: { y: number[]; u: number[]; v: number[] }, what: string): void {
  for (const plane of ['y', 'u', 'v'] as const) {
    actual[plane].forEach((a, i) => assert.ok(Math.abs(a - expected[plane][i]) <= 1, `${what} ${plane}[${i}]: changed by ${a}, the RGB way by ${expected[plane][i].toFixed(2)}`));
  }
}

/**
 * A 4x2 yuv420p frame of two blocks: the first's red goes from dark to past full (V 150), so the
 * addition is whole, partly clamped and fully clamped; the second's blue is high (U 200) and red
 * near zero.
 */
const TINT_FRAME = Uint8Array.from([60, 120, 16, 50, 180, 235, 100, 200, 110, 200, 150, 60]);

test('red-tint and blue-tint change luma and chroma as adding to that channel in RGB does, clamped per pixel', async () => {
  for (const [name, channel, intensity] of [['red-tint', 0, 0.3], ['blue-tint', 2, 0.5], ['red-tint', 0, -0.4], ['blue-tint', 2, 1]] as const) {
    const add = Math.round(intensity * 255);
    const expected = rgbWayChanges(TINT_FRAME, 4, 2, channel, add);
    assertWithinOne(await tintChanges(name, intensity, TINT_FRAME, 4, 2), expected, `${name} ${intensity}`);
  }
  // The clamp is per pixel: the pixel already past full red does not change, the dark one by the whole addition.
  const red = await tintChanges('red-tint', 0.3, TINT_FRAME, 4, 2);
  assert.equal(red.y[5], 0, 'R already 255');
  assert.equal(red.y[0], Math.round(77 * 0.2568), 'R 86 + 77');
});

test('red-tint on a frame of odd size tints its edge blocks too; intensity 0 leaves every byte', async () => {
  const w = 3;
  const h = 3;
  const data = Uint8Array.from({ length: w * h + 2 * 4 }, (_, i) => (i < w * h ? 40 + 20 * i : 128));
  assertWithinOne(await tintChanges('red-tint', 0.3, data, w, h), rgbWayChanges(data, w, h, 0, 77), 'odd size');
  const none = await tintChanges('red-tint', 0, TINT_FRAME, 4, 2);
  assert.ok([...none.y, ...none.u, ...none.v].every((d) => d === 0));
});
