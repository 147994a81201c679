// Reusable frame buffers: a decoded frame's bytes are handed back once the pipeline is done with them.

/** Free buffers kept per size; more than this in flight and new ones are allocated (and collected). */
const MAX_FREE_PER_SIZE = 8;

/**
 * Why: a 1080p RGB frame is 6 MB; allocating one per frame (~180 MB/s at 30 fps) keeps the
 * garbage collector busy. Buffers come back only through give(), and only ones this pool made
 * are taken back, so a frame that is never given back is simply collected.
 */
export class FramePool {
  private readonly free = new Map<number, Uint8Array[]>();
  private readonly ours = new WeakSet<ArrayBufferLike>();

  /** A buffer of exactly `size` bytes, uninitialised (the caller overwrites every byte). */
  take(size: number): Uint8Array {
    const reused = this.free.get(size)?.pop();
    if (reused) return reused;
    const b = Buffer.allocUnsafeSlow(size);
    this.ours.add(b.buffer);
    return b;
  }

  /** Hands a buffer back for reuse; anything the pool did not make (or a view into one) is ignored. */
  give(b: Uint8Array): void {
    if (!this.ours.has(b.buffer) || b.byteOffset !== 0 || b.byteLength !== b.buffer.byteLength) return;
    const list = this.free.get(b.byteLength) ?? [];
    if (list.includes(b) || list.length >= MAX_FREE_PER_SIZE) return;
    list.push(b);
    this.free.set(b.byteLength, list);
  }
}
