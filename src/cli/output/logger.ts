// The CLI's logger: text or NDJSON lines on stderr only, coloured on an interactive terminal.
import chalk, { Chalk, type ChalkInstance } from 'chalk';
import type { Logger, LogLevel } from '../../logger.js';
import { redact, scrub, scrubDeep, SecretSet } from '../../config/redact.js';

export interface CliLoggerOptions {
  format: 'text' | 'json';
  level: LogLevel | 'silent';
  color: boolean;
  stream?: NodeJS.WritableStream;
  /** Values kept out of every line (shared with the children); URL credentials are always masked. */
  secrets?: SecretSet;
  /** Wraps each write (a live status line clears itself first); read at write time, so it can be set later. */
  around?: (write: () => void) => void;
}

const ORDER: Record<LogLevel | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

function formatValue(v: unknown): string {
  if (typeof v === 'string') return /\s|"/.test(v) ? JSON.stringify(v) : v;
  if (v instanceof Error) return JSON.stringify(v.message);
  return JSON.stringify(v);
}

/** Builds the stderr logger for one CLI invocation. */
export function createCliLogger(options: CliLoggerOptions, bound: Record<string, unknown> = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const secrets = (options.secrets ??= new SecretSet());
  const c: ChalkInstance = options.color ? chalk : new Chalk({ level: 0 });
  const paint: Record<LogLevel, (s: string) => string> = {
    debug: c.gray,
    info: c.cyan,
    warn: c.yellow,
    error: c.red,
  };
  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < ORDER[options.level]) return;
    const all = scrubDeep(redact({ ...bound, ...fields }), secrets);
    msg = scrub(msg, secrets);
    const out = (line: string) => (options.around ? options.around(() => stream.write(line)) : stream.write(line));
    if (options.format === 'json') {
      out(JSON.stringify({ time: new Date().toISOString(), level, msg, ...all }) + '\n');
      return;
    }
    const kv = Object.entries(all)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => c.gray(`${k}=`) + formatValue(v))
      .join(' ');
    out(`${paint[level](level.padEnd(5))} ${msg}${kv ? ' ' + kv : ''}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createCliLogger(options, { ...bound, ...fields }),
    secret: (value) => secrets.add(value),
  };
}
