// The small queue between decoder and processor: holds a couple of video frames and drops the oldest when full.

export interface LeakyQueueOptions {
  /** Video frames kept at most (default 2); audio is never dropped. */
  capacity?: number;
  /** Called with each dropped item. */
  onDrop?: (item: unknown) => void;
}

interface Entry<T> {
  item: T;
  droppable: boolean;
}

/** A FIFO where droppable items beyond `capacity` evict the oldest droppable one (latency stays bounded). */
export class LeakyQueue<T> {
  private readonly items: Entry<T>[] = [];
  private readonly capacity: number;
  private droppableCount = 0;
  private waiter: ((v: void) => void) | undefined;
  private roomWaiters: (() => void)[] = [];
  private closed = false;
  dropped = 0;

  constructor(private readonly options: LeakyQueueOptions = {}) {
    this.capacity = Math.max(1, options.capacity ?? 2);
  }

  get size(): number {
    return this.items.length;
  }

  /** True when one more droppable item would push the oldest one out. */
  get full(): boolean {
    return this.droppableCount >= this.capacity;
  }

  /** Resolves once a droppable item fits without a drop (or the queue was closed/cleared). */
  waitForRoom(): Promise<void> {
    if (!this.full || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Adds an item; a droppable one may push the oldest droppable item out. */
  push(item: T, droppable: boolean): void {
    if (this.closed) return;
    this.items.push({ item, droppable });
    if (droppable && ++this.droppableCount > this.capacity) {
      const i = this.items.findIndex((e) => e.droppable);
      const [gone] = this.items.splice(i, 1);
      this.droppableCount--;
      this.dropped++;
      this.options.onDrop?.(gone.item);
    }
    this.wake();
  }

  /** No more items will come; shift() returns undefined once the queue is drained. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  /** Throws away everything queued (stop without draining). */
  clear(): void {
    this.items.length = 0;
    this.droppableCount = 0;
    this.wake();
  }

  /** The next item, waiting for one; undefined after close() and drain. */
  async shift(): Promise<T | undefined> {
    return (await this.shiftWithin(Infinity)) ?? undefined;
  }

  /** The next item, waiting at most `ms` for one: null when none came by then, undefined after close() and drain. */
  async shiftWithin(ms: number): Promise<T | undefined | null> {
    const deadline = performance.now() + ms;
    for (;;) {
      const e = this.items.shift();
      if (e) {
        if (e.droppable) this.droppableCount--;
        this.wake();
        return e.item;
      }
      if (this.closed) return undefined;
      const left = deadline - performance.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = Number.isFinite(left) ? setTimeout(resolve, left) : undefined;
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
    if (this.roomWaiters.length > 0 && (!this.full || this.closed)) {
      for (const r of this.roomWaiters.splice(0)) r();
    }
  }
}
