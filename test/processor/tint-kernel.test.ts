// The tints' WebAssembly SIMD kernel against their table-driven loop: the same pixels for every
// luma and chroma pair at every addition, on ragged frame sizes, and from the committed binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { tintYuv, type TintChannel } from '../../processors/red-tint.js';
import { kernelOffset, tintSimdAvailable } from '../../src/image/tint-simd.js';
import { frameBytes, yuvPlanes } from '../../src/media/pixel-format.js';
import { TIME_BASE_90K, type VideoFrame } from '../../src/media/frames.js';
import { WASM_SOURCES, compileWat, modulePath, renderModule } from '../tools/wasm.js';

/** A deterministic byte stream (xorshift32), so a failure reproduces. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function yuvFrame(width: number, height: number, data: Uint8Array): VideoFrame {
  return { data, format: 'yuv420p', width, height, pts: 0, timeBase: TIME_BASE_90K };
}

/**
 * 512x512 where block row r reads chroma r and the first 64 blocks of each row hold lumas 0..255
 * in order: every (luma, chroma) pair the channel's formula can meet; the rest is noise.
 */
function everyPair(channel: TintChannel): Uint8Array {
  const w = 512;
  const data = bytes(frameBytes('yuv420p', w, w), 7);
  const { y, u, v, chromaWidth: cw } = yuvPlanes(data, w, w);
  const read = channel === 'red' ? v : u;
  for (let by = 0; by < 256; by++) {
    for (let bx = 0; bx < cw; bx++) read[by * cw + bx] = by;
    for (let bx = 0; bx < 64; bx++) {
      const p = 2 * by * w + 2 * bx;
      [y[p], y[p + 1], y[p + w], y[p + w + 1]] = [4 * bx, 4 * bx + 1, 4 * bx + 2, 4 * bx + 3];
    }
  }
  return data;
}

function bothWays(width: number, height: number, data: Uint8Array, channel: TintChannel, add: number, states: [Record<string, unknown>, Record<string, unknown>]) {
  const simd = yuvFrame(width, height, data.slice());
  const tables = yuvFrame(width, height, data.slice());
  tintYuv(simd, channel, add, states[0]);
  tintYuv(tables, channel, add, states[1], 'tables');
  return { simd: simd.data, tables: tables.data };
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

test('the SIMD kernel loads here (a silent fallback to the tables would hide a broken binary)', () => {
  assert.equal(tintSimdAvailable(), true);
});

test('the SIMD kernel gives the tables\' pixels for every luma and chroma pair at every addition from −255 to 255, red and blue', () => {
  for (const channel of ['red', 'blue'] as const) {
    const frame = everyPair(channel);
    const states: [Record<string, unknown>, Record<string, unknown>] = [{}, {}];
    for (let add = -255; add <= 255; add++) {
      if (add === 0) continue;
      const { simd, tables } = bothWays(512, 512, frame, channel, add, states);
      const at = firstDifference(simd, tables);
      assert.equal(at, -1, `${channel} ${add}: byte ${at} is ${simd[at]} from the kernel, ${tables[at]} from the tables`);
      if (add === 77) assert.notEqual(firstDifference(simd, frame), -1, 'the tint changed nothing');
    }
  }
});

test('frames whose width is not a multiple of 16 or whose height is odd: the kernel does whole chunks, the tables the edges', () => {
  const sizes = [
    [35, 17],
    [16, 2],
    [17, 3],
    [15, 15],
    [1, 1],
    [48, 5],
    [642, 361],
  ];
  for (const [w, h] of sizes) {
    for (const channel of ['red', 'blue'] as const) {
      for (const add of [77, -100, 255]) {
        const data = bytes(frameBytes('yuv420p', w, h), w * 1000 + h + add);
        const { simd, tables } = bothWays(w, h, data, channel, add, [{}, {}]);
        const at = firstDifference(simd, tables);
        assert.equal(at, -1, `${w}x${h} ${channel} ${add}: byte ${at} is ${simd[at]} from the kernel, ${tables[at]} from the tables`);
        if (w * h >= 64) assert.notEqual(firstDifference(simd, data), -1, `${w}x${h}: the tint changed nothing`);
      }
    }
  }
});

test('a frame the kernel covers whole (width a multiple of 16, even height) builds no tables; a ragged one does', () => {
  const whole = yuvFrame(64, 8, bytes(frameBytes('yuv420p', 64, 8), 5));
  const wholeState: Record<string, unknown> = {};
  tintYuv(whole, 'red', 77, wholeState);
  assert.equal(wholeState.tint, undefined);
  const ragged = yuvFrame(65, 8, bytes(frameBytes('yuv420p', 65, 8), 5));
  const raggedState: Record<string, unknown> = {};
  tintYuv(ragged, 'red', 77, raggedState);
  assert.notEqual(raggedState.tint, undefined);
});

test('amounts beyond ±255 act as ±255 and fractions are rounded, on both paths', () => {
  const data = bytes(frameBytes('yuv420p', 64, 8), 3);
  const a = bothWays(64, 8, data, 'red', 1000, [{}, {}]);
  const b = bothWays(64, 8, data, 'red', 255, [{}, {}]);
  assert.deepEqual(a.simd, b.simd);
  assert.deepEqual(a.tables, b.simd);
  const c = bothWays(64, 8, data, 'blue', 76.6, [{}, {}]);
  const d = bothWays(64, 8, data, 'blue', 77, [{}, {}]);
  assert.deepEqual(c.simd, d.simd);
  assert.deepEqual(c.tables, d.simd);
});

test('a frame that is a view at any offset into a larger buffer gets the tables\' pixels, and the bytes around it stay as they were', () => {
  const [w, h] = [64, 8];
  const size = frameBytes('yuv420p', w, h);
  for (const offset of [0, 1, 15, 16, 17, 2032, 2048, 4080, 4095, 5000]) {
    const whole = bytes(offset + size + 64, offset + 1);
    const simdBuffer = whole.slice();
    const tablesBuffer = whole.slice();
    tintYuv(yuvFrame(w, h, simdBuffer.subarray(offset, offset + size)), 'red', 77, {});
    tintYuv(yuvFrame(w, h, tablesBuffer.subarray(offset, offset + size)), 'red', 77, {}, 'tables');
    const at = firstDifference(simdBuffer, tablesBuffer);
    assert.equal(at, -1, `offset ${offset}: byte ${at} is ${simdBuffer[at]} from the kernel, ${tablesBuffer[at]} from the tables`);
    assert.deepEqual(simdBuffer.subarray(0, offset), whole.subarray(0, offset), `offset ${offset}: bytes before the frame`);
    assert.deepEqual(simdBuffer.subarray(offset + size), whole.subarray(offset + size), `offset ${offset}: bytes after the frame`);
    assert.notEqual(firstDifference(simdBuffer, whole), -1, `offset ${offset}: the tint changed nothing`);
  }
});

test('the frame\'s place in the kernel\'s memory is 16-byte aligned and 1–3 KiB from its own bytes modulo 4 KiB, both ways round (no 4K aliasing in either copy)', () => {
  for (let byteOffset = 0; byteOffset < 8192; byteOffset++) {
    const at = kernelOffset(byteOffset);
    const address = 16 + byteOffset; // a large allocation's bytes start 16 bytes into a page (glibc)
    assert.equal(at % 16, 0, `offset ${byteOffset}: ${at}`);
    for (const distance of [(((at - address) % 4096) + 4096) % 4096, (((address - at) % 4096) + 4096) % 4096]) {
      assert.ok(distance >= 1024 && distance <= 3072, `offset ${byteOffset}: placed at ${at}, ${distance} bytes apart modulo 4 KiB`);
    }
  }
});

test('a buffer shorter than its frame size is left to the tables (no throw, the same bytes as the tables give)', () => {
  const data = bytes(frameBytes('yuv420p', 64, 8) - 100, 11);
  const { simd, tables } = bothWays(64, 8, data, 'red', 77, [{}, {}]);
  assert.equal(simd.length, data.length);
  assert.deepEqual(simd, tables);
  assert.notDeepEqual(simd, data);
});

test('the committed kernel module is what its .wat compiles to', async () => {
  for (const source of WASM_SOURCES) {
    const compiled = renderModule(source, await compileWat(source.wat));
    assert.equal(await readFile(modulePath(source), 'utf8'), compiled, `${source.module} is stale: run npm run wasm`);
  }
});
