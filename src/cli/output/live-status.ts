// What is live on a terminal (a status line, a stage in progress): an ora spinner on an interactive stderr, nothing otherwise.
import ora, { type Ora } from 'ora';

export interface LiveStatus {
  /** Replaces the line's text (a stage, or the stream's state, fps, latency, drops). */
  update(text: string): void;
  /** Ends the line with a tick (or a cross), leaving `text` behind. */
  succeed(text?: string): void;
  fail(text?: string): void;
  /** Clears the line. Idempotent. */
  stop(): void;
  /** Runs `write` (a log line) with the line cleared first and drawn again after. */
  around(write: () => void): void;
}

const QUIET: LiveStatus = { update() {}, succeed() {}, fail() {}, stop() {}, around: (w) => w() };

/**
 * A spinner line on stderr when `interactive` (a TTY, text logs, not --quiet); otherwise a
 * status that prints nothing, so piped and NDJSON output stays exactly as it was.
 */
export function liveStatus(opts: { interactive: boolean; color: boolean; text: string }): LiveStatus {
  // A terminal that reports no width (some pseudo-terminals) cannot have a line redrawn in place;
  // a CI runner's log (CI set, even on a pseudo-terminal) and TERM=dumb keep plain lines only.
  if (!opts.interactive || !((process.stderr.columns ?? 0) > 0)) return QUIET;
  if (process.env.CI !== undefined || process.env.TERM === 'dumb') return QUIET;
  let spinner: Ora | undefined = ora({ text: opts.text, stream: process.stderr, color: opts.color ? 'cyan' : false, discardStdin: false }).start();
  return {
    update(text) {
      if (spinner) spinner.text = text;
    },
    succeed(text) {
      spinner?.succeed(text);
      spinner = undefined;
    },
    fail(text) {
      spinner?.fail(text);
      spinner = undefined;
    },
    stop() {
      spinner?.stop();
      spinner = undefined;
    },
    around(write) {
      if (!spinner?.isSpinning) return write();
      spinner.clear();
      write();
      spinner.render();
    },
  };
}
