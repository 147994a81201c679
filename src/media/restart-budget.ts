// How often a stream's ffmpeg children may die and be replaced: at most `max` restarts within `windowMs` (3 in 120 s).
import { TrickleError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';

/** One replacement of a child that died. */
export interface ChildRestart {
  /** The child: 'video decoder', 'audio encoder' … */
  child: string;
  /** How it ended: "was killed by SIGKILL", "exited with code 1" … */
  reason: string;
  /** Its last stderr lines. */
  stderr: string;
  /** The stream's restarts so far, this one included. */
  count: number;
  /** One line saying all of it. */
  message: string;
}

export interface RestartBudgetOptions {
  /** Restarts allowed within the window (default 3). */
  max?: number;
  /** The window, sliding (default 120 s). */
  windowMs?: number;
  log?: Logger;
  /** Called once for every restart granted. */
  onRestart?(restart: ChildRestart): void;
}

/** How a child ended, from its error: the message's first line without the "ffmpeg <child> " it starts with. */
function reasonOf(child: string, err: Error): string {
  const line = err.message.split('\n')[0];
  const prefix = `ffmpeg ${child} `;
  return line.startsWith(prefix) ? line.slice(prefix.length) : line;
}

/**
 * One per stream, shared by all of its ffmpeg lines (decoder and encoder, video and audio), so
 * one stream's restarts never touch another's budget.
 */
export class RestartBudget {
  readonly max: number;
  readonly windowMs: number;
  /** Restarts granted so far. */
  restarts = 0;
  private deaths: { at: number; child: string }[] = [];
  private readonly log: Logger;

  constructor(private readonly opts: RestartBudgetOptions = {}) {
    this.max = opts.max ?? 3;
    this.windowMs = opts.windowMs ?? 120_000;
    this.log = opts.log ?? silentLogger;
  }

  /**
   * Records that `child` died of `cause`: undefined when it may be replaced (logged once, with its
   * last stderr lines), else the TRICKLE_FFMPEG_EXIT error the stream fails with.
   */
  spend(child: string, cause: Error, stderr: string): TrickleError | undefined {
    const now = Date.now();
    this.deaths = this.deaths.filter((d) => now - d.at < this.windowMs);
    this.deaths.push({ at: now, child });
    const reason = reasonOf(child, cause);
    const window = `${Math.round(this.windowMs / 1000)} s`;
    if (this.deaths.length > this.max) {
      const own = this.deaths.filter((d) => d.child === child).length;
      const all = own < this.deaths.length ? ` (the stream's ffmpeg children ${this.deaths.length} times)` : '';
      const message = `ffmpeg ${child} died ${own} time${own === 1 ? '' : 's'} within ${window}${all}, over the restart budget of ${this.max} per ${window} (last: ${reason})`;
      return new TrickleError('TRICKLE_FFMPEG_EXIT', stderr ? `${message}:\n${stderr}` : message, {
        cause,
        details: { child, deaths: this.deaths.length, restartBudget: this.max, windowSeconds: this.windowMs / 1000, ...(stderr ? { stderr } : {}) },
      });
    }
    this.restarts++;
    const message = `ffmpeg ${child} ${reason}; restarted (${this.deaths.length} of ${this.max} restarts within ${window})`;
    this.log.warn(message, stderr ? { stderr } : {});
    this.opts.onRestart?.({ child, reason, stderr, count: this.restarts, message });
    return undefined;
  }
}
