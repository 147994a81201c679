// Processor hook calls with deadlines: a call pending past its deadline stops holding the stream, one pending past the hang limit is reported hung.

export type HookName = 'start' | 'video' | 'audio' | 'update' | 'stop';

/** How a call ended within its deadline, or `pending` (it goes on, watched; `later` resolves true once it settles, false when abandoned). */
export type CallOutcome<T> =
  | { status: 'done'; value: T }
  | { status: 'failed'; error: unknown }
  | { status: 'pending'; later: Promise<boolean> };

export interface HookGuardOptions {
  /** The default deadline of a call (the frame timeout). */
  deadlineMs: number;
  /** How long a call may stay pending, from its start, before onHung. */
  hangLimitMs: number;
  /** A call is still pending at its deadline: the stream goes on without its result. */
  onSlow(hook: HookName, pendingMs: number): void;
  /** A call has been pending for the hang limit. */
  onHung(hook: HookName, pendingMs: number): void;
  /** A call that was pending at its deadline settled after all. */
  onLate(hook: HookName, pendingMs: number): void;
}

const isThenable = <T>(v: T | PromiseLike<T>): v is PromiseLike<T> => typeof (v as PromiseLike<T> | null)?.then === 'function';

interface Watched {
  timer: NodeJS.Timeout;
  settle(settled: boolean): void;
}

/** Runs hook calls against a deadline and watches the ones that outlive it (at most one per hook: callers skip a busy hook). */
export class HookGuard {
  private readonly watched = new Map<HookName, Watched>();

  constructor(private readonly opts: HookGuardOptions) {}

  /** True while a call of `hook` is pending past its deadline. */
  busy(hook: HookName): boolean {
    return this.watched.has(hook);
  }

  /** Calls `fn` as `hook`; settles with its outcome, or with `pending` once `deadlineMs` has passed without one. */
  async call<T>(hook: HookName, fn: () => T | PromiseLike<T>, deadlineMs = this.opts.deadlineMs): Promise<CallOutcome<T>> {
    const since = performance.now();
    let result: T | PromiseLike<T>;
    try {
      result = fn();
    } catch (error) {
      return { status: 'failed', error };
    }
    // A hook that answered synchronously needs no deadline (most built-ins do).
    if (!isThenable(result)) return { status: 'done', value: result };
    const running = Promise.resolve(result);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      running.then(
        (value): CallOutcome<T> => ({ status: 'done', value }),
        (error: unknown): CallOutcome<T> => ({ status: 'failed', error }),
      ),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), deadlineMs))),
    ]);
    clearTimeout(timer);
    return outcome ?? { status: 'pending', later: this.watch(hook, running, since) };
  }

  /** Forgets every pending call: their results are ignored from now on and their hang timers stop. */
  abandon(): void {
    for (const w of [...this.watched.values()]) w.settle(false);
  }

  private watch(hook: HookName, running: Promise<unknown>, since: number): Promise<boolean> {
    const age = () => performance.now() - since;
    return new Promise<boolean>((resolve) => {
      const w: Watched = {
        timer: setTimeout(() => this.opts.onHung(hook, age()), Math.max(0, this.opts.hangLimitMs - age())),
        settle: (settled) => {
          clearTimeout(w.timer);
          if (this.watched.get(hook) === w) this.watched.delete(hook);
          resolve(settled);
        },
      };
      this.watched.set(hook, w);
      this.opts.onSlow(hook, age());
      const late = () => {
        if (this.watched.get(hook) !== w) return;
        this.opts.onLate(hook, age());
        w.settle(true);
      };
      running.then(late, late);
    });
  }
}
