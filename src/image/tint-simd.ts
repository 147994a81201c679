// Runs the WebAssembly SIMD tint kernel (tint-kernel.wat) on a yuv420p frame: the frame is copied
// into the kernel's memory, its whole 16-column chunks of whole row pairs are tinted there, and it
// is copied back. About four times faster than the table-driven loop at 512x512, same pixels.
// The memory grows to the largest frame seen and stays that size.
//
// Where the frame sits in that memory matters. x86 CPUs copy a block many times slower when the
// destination lies a few bytes past the source modulo 4 KiB (a load waits on an earlier store to
// what looks like the same address: "4K aliasing"): a 512x512 yuv420p frame copied back from
// offset 0 took 0.17 ms, against 0.013 ms the other way. A large allocation that glibc maps starts
// 16 bytes into a page, and the kernel's memory starts on one; so the frame goes 2 KiB away from
// where its own bytes would sit in such an allocation modulo 4 KiB, which keeps both copies, in
// and back, clear of it there (elsewhere its address is unknown, and most placements are clear).
import { TINT_KERNEL_WASM } from './tint-kernel.wasm.js';

/** A channel's coefficients scaled by 2^20 (see the kernel's header for what each one weighs). */
export interface TintFixedPoint {
  A: number;
  B: number;
  DY: number;
  DU: number;
  DV: number;
}

/** The blocks the kernel tinted: block columns [0, cols) of block rows [0, rows). */
export interface TintedBlocks {
  cols: number;
  rows: number;
}

interface Kernel {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  tint(...args: number[]): void;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

const PAGE = 65536;
/** Where glibc puts the bytes of a large (mapped) allocation: 16 bytes into a page. */
const LARGE_ALLOCATION_START = 16;

/**
 * The offset in the kernel's memory for a frame whose bytes begin `byteOffset` into their buffer:
 * 16-byte aligned and about 2 KiB from the frame's own address modulo 4 KiB, both ways round.
 */
export function kernelOffset(byteOffset: number): number {
  return (LARGE_ALLOCATION_START + byteOffset + 2048) & 4095 & ~15;
}
let kernel: Kernel | null | undefined;

/** The kernel, or null where this runtime cannot compile WebAssembly SIMD (a CPU without SSE4.1). */
function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const module = new wasm.Module(Buffer.from(TINT_KERNEL_WASM, 'base64'));
    kernel = new wasm.Instance(module).exports as Kernel;
  } catch {
    kernel = null;
  }
  return kernel;
}

/** True when the SIMD kernel runs here (else the caller's table-driven loop does all the work). */
export function tintSimdAvailable(): boolean {
  return load() !== null;
}

/**
 * Tints `data` (yuv420p, width x height) in place: adds `add` (an integer, −255..255) to the channel
 * read from V (`readsV`) or U. Returns the blocks done, or undefined when the kernel is unavailable
 * or the frame has no whole chunk; the caller tints the rest.
 */
export function tintSimd(data: Uint8Array, width: number, height: number, readsV: boolean, add: number, k: TintFixedPoint): TintedBlocks | undefined {
  const chunks = width >> 4;
  const rows = height >> 1;
  if (chunks === 0 || rows === 0) return undefined;
  const kern = load();
  if (!kern) return undefined;
  const cw = (width + 1) >> 1;
  const ySize = width * height;
  const cSize = cw * ((height + 1) >> 1);
  const bytes = ySize + 2 * cSize;
  if (data.length < bytes) return undefined; // not a whole frame of this size: the caller's loop decides
  const at = kernelOffset(data.byteOffset);
  const have = kern.memory.buffer.byteLength;
  if (have < at + bytes) kern.memory.grow(Math.ceil((at + bytes - have) / PAGE));
  const mem = new Uint8Array(kern.memory.buffer, at, bytes);
  mem.set(data.subarray(0, bytes));
  const u = at + ySize;
  const v = u + cSize;
  kern.tint(at, readsV ? v : u, u, v, width, cw, rows, chunks, add, k.A, k.B, k.DY, k.DU, k.DV);
  data.set(mem);
  return { cols: chunks * 8, rows };
}
