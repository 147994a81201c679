// The logger interface core code writes to; src/cli/output/logger.ts prints it to stderr.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` to every line (e.g. the stream id). */
  child(fields: Record<string, unknown>): Logger;
  /**
   * Keeps `value` (a token, a session's channel URL) out of every line this logger, its parent
   * and its children print from now on. Optional: a logger that prints nothing needs none.
   */
  secret?(value: string | undefined): void;
}

/** A logger that drops everything: the default for library callers who pass none. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
  secret() {},
};

/** Wraps `log` so that each `key` logs at most once per `intervalMs` and counts what it suppressed. */
export function rateLimited(log: Logger, intervalMs: number) {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (level: LogLevel, key: string, msg: string, fields?: Record<string, unknown>): void => {
    const now = Date.now();
    const seen = last.get(key);
    if (seen && now - seen.at < intervalMs) {
      seen.suppressed++;
      return;
    }
    const suppressed = seen?.suppressed ?? 0;
    last.set(key, { at: now, suppressed: 0 });
    log[level](msg, suppressed > 0 ? { ...fields, suppressed } : fields);
  };
}
