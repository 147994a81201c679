// The relay's memory bound: the bytes every channel's ring holds, and whether a new segment may start.
import os from 'node:os';

/** Counts the bytes of retained segments across all channels (each segment adds what it appends and takes it back when it leaves its ring). */
export class RetainedBytes {
  used = 0;

  constructor(readonly cap: number) {}

  add(n: number): void {
    this.used += n;
  }

  /** True when a new segment must be refused: over the cap even after its slot's old occupant (`freed` bytes) is evicted. */
  refuses(freed: number): boolean {
    return this.used - freed > this.cap;
  }
}

/** A quarter of the memory this process may use: the machine's, or the container's limit when that is lower. */
export function defaultMaxRetainedBytes(): number {
  const total = os.totalmem();
  const limit = process.constrainedMemory?.() ?? 0;
  return Math.floor((limit > 0 && limit < total ? limit : total) / 4);
}
