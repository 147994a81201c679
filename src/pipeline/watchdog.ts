// A timer that fires once when nothing has kicked it for `ms` (a stream's "no input for so long").

/** kick() is cheap (it only notes the time): the one timer re-arms itself for what is left. */
export class Watchdog {
  private timer?: NodeJS.Timeout;
  private last = performance.now();

  /** `ms` of 0 or less: never fires. */
  constructor(
    private readonly ms: number,
    private readonly fire: (idleMs: number) => void,
  ) {}

  /** Starts watching from now. */
  start(): void {
    this.last = performance.now();
    if (this.ms > 0 && !this.timer) this.arm(this.ms);
  }

  kick(): void {
    this.last = performance.now();
  }

  /** Idempotent. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(delay: number): void {
    this.timer = setTimeout(() => {
      const idle = performance.now() - this.last;
      if (idle < this.ms) return this.arm(this.ms - idle);
      this.timer = undefined;
      this.fire(idle);
    }, delay);
  }
}
