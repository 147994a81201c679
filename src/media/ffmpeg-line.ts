// One stream kind's ffmpeg children, one after another: a warm spare, each child's output consumed in order, one close.
//
// The decoder and the encoder each run one line per stream kind (video, audio). A line replaces
// its child when the input changes in a way one ffmpeg cannot follow (new size, rewound pts,
// another codec): the old child is told its input ended, the new one takes input at once, and
// the new one's output is read only after the old one's has been consumed to its end, so
// frames and packets leave in order across the change (a child that exits before its turn
// keeps its output for it: FfmpegChild holds stdout).
import type { FfmpegChild } from './ffmpeg-child.js';

export interface FfmpegLineHooks<V> {
  /** Starts a child; `variant` names arguments that differ between children (an odd frame size, say). */
  spawn(variant: V): FfmpegChild;
  /** Consumes one child's output to its end; rejects when the child failed. */
  pump(child: FfmpegChild): Promise<void>;
  /** A child failed and the line gave up: its owner fails with `err`. */
  failed(err: Error): void;
}

export class FfmpegLine<V = undefined> {
  /** Children that took input so far (the first one, then one per replacement). */
  started = 0;
  private consumed: Promise<void> = Promise.resolve();
  /** A child started before its input was known, so ffmpeg's start-up overlaps the wait for it. */
  private spare?: { child: FfmpegChild; variant: V };
  private current?: FfmpegChild;
  private readonly running = new Set<FfmpegChild>();
  private closed = false;

  constructor(private readonly hooks: FfmpegLineHooks<V>) {}

  /** The child taking input now, if any. */
  get child(): FfmpegChild | undefined {
    return this.current;
  }

  /** Settles once the output of every child started so far has been consumed; rejects with a failure. */
  get pumped(): Promise<void> {
    return this.consumed;
  }

  /** Starts a spare child now, before any input: the first start() takes it. */
  warm(variant: V): void {
    if (!this.spare && !this.closed) this.spare = { child: this.spawn(variant), variant };
  }

  /** Stops the spare (the input has no such stream, or it ended); resolves once it is gone. */
  dropSpare(): Promise<void> {
    const spare = this.spare;
    this.spare = undefined;
    return spare ? spare.child.close() : Promise.resolve();
  }

  /**
   * Gives the line a new current child (the spare, when it was started with the same variant),
   * writes `header` to it first, and queues its output to be consumed after the previous child's.
   */
  start(variant: V, header?: Uint8Array | readonly Uint8Array[]): FfmpegChild {
    let child: FfmpegChild;
    if (this.spare && this.spare.variant === variant) {
      child = this.spare.child;
      this.spare = undefined;
    } else {
      void this.dropSpare();
      child = this.spawn(variant);
    }
    this.current = child;
    this.started++;
    // A header that fails to go in means the child died: its pump reports how.
    if (header) void child.write(header).catch(() => undefined);
    const consumed = this.consumed.then(() => this.hooks.pump(child)).catch((err: unknown) => this.childFailed(child, err as Error));
    this.consumed = consumed;
    consumed.catch((err: unknown) => this.hooks.failed(err as Error));
    return child;
  }

  /**
   * A child's output ended in failure. Today the line fails with it; this is where a restart
   * policy (how many replacements within what time) will decide to start a replacement instead.
   */
  private childFailed(_child: FfmpegChild, err: Error): never {
    throw err;
  }

  /** Ends the current child's input (it flushes and exits) without waiting for its output. */
  endInput(): void {
    this.current?.endInput();
    this.current = undefined;
  }

  /** Ends the current child's input and resolves once its output has been consumed (rejects with a failure). */
  async finish(): Promise<void> {
    this.endInput();
    await this.consumed;
  }

  /** Kills every child now without waiting (a failure elsewhere). */
  stop(): void {
    for (const c of this.running) void c.close();
  }

  /** Kills every child (within ~2 s each) and waits until their output is done; idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.spare = undefined;
    this.current = undefined;
    await Promise.all([...this.running].map((c) => c.close()));
    await this.consumed.catch(() => undefined);
  }

  private spawn(variant: V): FfmpegChild {
    const child = this.hooks.spawn(variant);
    this.running.add(child);
    void child.exited.then(() => this.running.delete(child));
    return child;
  }
}
