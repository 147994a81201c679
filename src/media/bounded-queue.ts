// A bounded single-consumer queue of byte chunks: producers await room, the consumer iterates.

/** Carries encoder output from one or more ffmpeg children (in order) to one reader. */
export class ChunkQueue {
  private readonly items: Uint8Array[] = [];
  private bytes = 0;
  private ended = false;
  private error: unknown;
  private wakeReader?: () => void;
  private wakeWriters: (() => void)[] = [];

  constructor(private readonly highWaterMark = 1 << 20) {}

  /** Adds a chunk; resolves once the queue is below its high-water mark again. */
  async push(chunk: Uint8Array): Promise<void> {
    if (this.ended) return;
    this.items.push(chunk);
    this.bytes += chunk.length;
    this.wake();
    while (this.bytes > this.highWaterMark && !this.ended) await new Promise<void>((r) => this.wakeWriters.push(r));
  }

  /** No more chunks; the reader finishes after the queued ones (or throws `error`). */
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

  /** Yields chunks as they come; throws the end error after the last one. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = this.items.shift();
      if (chunk) {
        this.bytes -= chunk.length;
        if (this.bytes <= this.highWaterMark) this.releaseWriters();
        yield chunk;
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
