// One stream kind's ffmpeg children, one after another: a warm spare, each child's output consumed in order, restarts, one close.
//
// The decoder and the encoder each run one line per stream kind (video, audio). A line replaces
// its child when the input changes in a way one ffmpeg cannot follow (new size, rewound pts,
// another codec): the old child is told its input ended, the new one takes input at once, and
// the new one's output is read only after the old one's has been consumed to its end, so
// frames and packets leave in order across the change (a child that exits before its turn
// keeps its output for it: FfmpegChild holds stdout).
//
// A child that dies on its own (a signal, a crash, a non-zero exit, output that cannot be read)
// is judged once, here and nowhere else: while the stream's restart budget allows it, the line
// forgets it (what it had produced is still read, in order), starts a spare at once, and the
// owner's next input goes to it; past the budget the line fails with the budget's error.
import { TrickleError } from '../errors.js';
import type { ChildExit, FfmpegChild } from './ffmpeg-child.js';
import type { RestartBudget } from './restart-budget.js';

export interface FfmpegLineHooks<V> {
  /** Starts a child; `variant` names arguments that differ between children (an odd frame size, say). */
  spawn(variant: V): FfmpegChild;
  /** Consumes one child's output to its end; rejects when the child failed. */
  pump(child: FfmpegChild): Promise<void>;
  /** A child failed and the line gave up: its owner fails with `err`. */
  failed(err: Error): void;
  /** The current child died and was replaced under the budget: the next input goes to a fresh child. */
  replaced?(child: FfmpegChild): void;
}

/** What became of a child that died: replaced, or the error the line failed with. */
type Verdict = 'replaced' | Error;

export class FfmpegLine<V = undefined> {
  /** Children that took input so far (the first one, then one per replacement). */
  started = 0;
  private consumed: Promise<void> = Promise.resolve();
  /** A child started before its input was known, so ffmpeg's start-up overlaps the wait for it. */
  private spare?: { child: FfmpegChild; variant: V };
  private current?: { child: FfmpegChild; variant: V };
  private readonly running = new Set<FfmpegChild>();
  private readonly verdicts = new WeakMap<FfmpegChild, Verdict>();
  private closed = false;

  /** Without a budget no child is replaced: the first death fails the line. */
  constructor(
    private readonly hooks: FfmpegLineHooks<V>,
    private readonly budget?: RestartBudget,
  ) {}

  /** The child taking input now, if any. */
  get child(): FfmpegChild | undefined {
    return this.current?.child;
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
    this.current = { child, variant };
    this.started++;
    // A header that fails to go in means the child died: its pump reports how.
    if (header) void child.write(header).catch(() => undefined);
    const consumed = this.consumed.then(() => this.hooks.pump(child).catch((err: unknown) => this.childFailed(child, err as Error)));
    this.consumed = consumed;
    consumed.catch((err: unknown) => this.hooks.failed(err as Error));
    return child;
  }

  /** A child's output ended in failure: nothing more to do once it was replaced, else the line fails. */
  private childFailed(child: FfmpegChild, err: Error): void {
    if (this.closed) throw err;
    const verdict = this.judge(child, err);
    if (verdict !== 'replaced') throw verdict;
  }

  /**
   * A write to `child` failed: returns when the line replaced it (the owner goes on, and its next
   * input starts a fresh child), throws the error the stream fails with otherwise.
   */
  lost(child: FfmpegChild, err: Error): void {
    const known = this.verdicts.get(child);
    if (known === 'replaced') return;
    if (known) throw known;
    if (this.closed || child.stoppedByUs) throw err;
    this.childFailed(child, err);
  }

  /** A child ended: one that should still be running (the current one, one still flushing, the spare) died. */
  private ended(child: FfmpegChild, exit: ChildExit): void {
    if (this.closed || child.stoppedByUs) return;
    const spare = this.spare?.child === child ? this.spare : undefined;
    const early = child === this.current?.child || spare ? new TrickleError('TRICKLE_FFMPEG_EXIT', `ffmpeg ${child.name} exited before its input ended`) : undefined;
    const err = child.failure(exit) ?? early;
    if (!err) return;
    if (!spare) {
      this.judge(child, err);
      return;
    }
    // A spare counts like any child; it is replaced by a fresh spare (no output of its own to wait for).
    this.spare = undefined;
    const verdict = this.judge(child, err);
    if (verdict === 'replaced') this.warm(spare.variant);
    else this.hooks.failed(verdict);
  }

  /** Decides once per child whether its death is within the budget; a replaced current child is forgotten. */
  private judge(child: FfmpegChild, err: Error): Verdict {
    const known = this.verdicts.get(child);
    if (known) return known;
    const verdict = this.budget ? (this.budget.spend(child.name, err, child.stderrTail()) ?? 'replaced') : err;
    this.verdicts.set(child, verdict);
    if (verdict === 'replaced' && this.current?.child === child) {
      const { variant } = this.current;
      this.current = undefined;
      this.hooks.replaced?.(child);
      // The replacement starts now, so it is up by the time the owner's next input comes.
      this.warm(variant);
    }
    return verdict;
  }

  /** Ends the current child's input (it flushes and exits) without waiting for its output. */
  endInput(): void {
    this.current?.child.endInput();
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
    // Judged before anyone awaiting a failed write hears of it (FfmpegChild's write waits for the exit).
    void child.exited.then((exit) => {
      this.running.delete(child);
      this.ended(child, exit);
    });
    return child;
  }
}
