// A stream's `error` events: hook failures at most two a second (the rest counted), hooks that hang, the fatal one.
import type { HookName } from './hook-guard.js';

const secs = (ms: number): number => Math.round(ms / 100) / 10;

/** What a hook pending past the frame timeout means for the stream, in the words of its error event. */
function pendingConsequence(hook: HookName): string {
  if (hook === 'update') return 'the new params are in ctx.params; the stream goes on';
  if (hook === 'stop') return 'the stream stops without waiting for it';
  return 'frames pass through unchanged while it is pending';
}

/** Turns processor trouble into `error` events (fatal: false unless the stream ends) and remembers the last one. */
export class ErrorEvents {
  private lastEventAt = 0;
  private suppressed = 0;
  /** The last error, as `hook: message` or the fatal message. */
  last?: string;
  lastAt?: number;

  constructor(private readonly emit: (data: Record<string, unknown>) => void) {}

  private note(text: string): void {
    this.last = text;
    this.lastAt = Date.now();
  }

  /** A hook threw (or returned something unusable): at most two events a second, the count of the ones held back rides on the next. */
  hookFailed(hook: string, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.note(`${hook}: ${message}`);
    const now = Date.now();
    if (now - this.lastEventAt < 500) {
      this.suppressed++;
      return;
    }
    this.lastEventAt = now;
    this.emit({ message, hook, fatal: false, suppressed: this.suppressed });
    this.suppressed = 0;
  }

  /** A hook call is still pending at the frame timeout. */
  hookSlow(hook: HookName, pendingMs: number): void {
    const message = `${hook}() has not returned for ${secs(pendingMs)} s; ${pendingConsequence(hook)}`;
    this.note(`${hook}: ${message}`);
    this.emit({ message, hook, pending_ms: Math.round(pendingMs), fatal: false });
  }

  /** A hung hook call was given up and the processor restarted with fresh state. */
  hookRestarted(hook: HookName, pendingMs: number): void {
    const message = `${hook}() has not returned for ${secs(pendingMs)} s; the processor is restarted with fresh state (stop, then start)`;
    this.note(`${hook}: ${message}`);
    this.emit({ message, hook, pending_ms: Math.round(pendingMs), fatal: false });
  }

  /** An ffmpeg child died and was replaced; the stream goes on. */
  childRestarted(child: string, message: string, count: number): void {
    this.note(message);
    this.emit({ message, fatal: false, child, restart_count: count });
  }

  /** The stream failed. */
  fatal(message: string): void {
    this.note(message);
    this.emit({ message, fatal: true });
  }
}
