// A bounded single-consumer queue: producers await room, the consumer iterates.

/**
 * Carries what ffmpeg children produce (encoder bytes, decoded frames) to one reader, in the
 * order it was pushed. `sizeOf` measures an item against the high-water mark (bytes, frames).
 */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  /** Sum of sizeOf over the queued items. */
  private bytes = 0;
  private ended = false;
  private error: unknown;
  private wakeReader?: () => void;
  private wakeWriters: (() => void)[] = [];

  constructor(
    private readonly highWaterMark: number,
    private readonly sizeOf: (item: T) => number = () => 1,
  ) {}

  /** Adds an item; resolves once the queue is at or below its high-water mark again. */
  async push(item: T): Promise<void> {
    if (this.ended) return;
    this.items.push(item);
    this.bytes += this.sizeOf(item);
    this.wake();
    while (this.bytes > this.highWaterMark && !this.ended) await new Promise<void>((r) => this.wakeWriters.push(r));
  }

  /** No more items; the reader finishes after the queued ones (then throws `error`, if given). */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    this.wake();
    this.releaseWriters();
  }

  /** Drops what is queued and ends now (close()). */
  abort(): void {
    this.items.length = 0;
    this.bytes = 0;
    this.end();
  }

  private wake(): void {
    const w = this.wakeReader;
    this.wakeReader = undefined;
    w?.();
  }

  private releaseWriters(): void {
    const ws = this.wakeWriters;
    this.wakeWriters = [];
    for (const w of ws) w();
  }

  /** Yields items as they come; throws the end error after the last one. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      if (this.items.length > 0) {
        const item = this.items.shift()!;
        this.bytes -= this.sizeOf(item);
        if (this.bytes <= this.highWaterMark) this.releaseWriters();
        yield item;
        continue;
      }
      if (this.ended) {
        if (this.error) throw this.error;
        return;
      }
      await new Promise<void>((r) => (this.wakeReader = r));
    }
  }
}
