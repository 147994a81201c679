// Shared plumbing for every subcommand: common flags, config + logger setup, error → exit code mapping.
import { Command, Option } from 'commander';
import { configSection, resolveSettings, type SettingSpec } from '../config/settings.js';
import { loadConfigFile, type ConfigObject } from '../config/load.js';
import { isTrickleError, TrickleError } from '../errors.js';
import type { Logger } from '../logger.js';
import { scrub, SecretSet } from '../config/redact.js';
import { createCliLogger, type CliLoggerOptions } from './output/logger.js';
import { liveStatus, type LiveStatus } from './output/live-status.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { withFlags } from './field-flags.js';
import { installShutdown } from './shutdown.js';

export interface CommandContext {
  log: Logger;
  /** The command's config section over the file's top-level keys. */
  config: ConfigObject;
  configPath?: string;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM: every long-running core call takes it. */
  signal: AbortSignal;
  /** stderr is a terminal and the user wants decorations (spinners, live status line). */
  interactive: boolean;
  color: boolean;
  quiet: boolean;
  format: 'text' | 'json';
  /** Resolves settings for this command: flag > env > config > default. */
  settings<T = Record<string, unknown>>(specs: readonly SettingSpec[]): T;
  /** Values the user wants kept out of every message (secrets). */
  addSecret(value: string | undefined): void;
  /** A live status line on an interactive terminal (log lines print above it); a no-op elsewhere. */
  live(text: string): LiveStatus;
}

/** Adds the flags every command accepts. */
export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'config file (default: search for .trickclirc, trickcli.config.js, package.json#trickcli)')
    .addOption(new Option('--log-format <format>', 'log format on stderr').choices(['text', 'json']))
    .option('-q, --quiet', 'only warnings and errors')
    .option('-v, --verbose', 'debug logging')
    .option('--no-color', 'no colour in output');
}

/** The values the user typed on the command line (not commander defaults). */
function typedFlags(cmd: Command): Record<string, unknown> {
  const opts = cmd.opts();
  return Object.fromEntries(Object.entries(opts).filter(([k]) => cmd.getOptionValueSource(k) === 'cli'));
}

export type ActionHandler = (ctx: CommandContext, args: string[], cmd: Command) => Promise<number | void>;

/** Wraps a command action: builds its context, runs it, maps errors and signals to exit codes. */
export function defineAction(cmd: Command, name: string, handler: ActionHandler): Command {
  return cmd.action(async (...all: unknown[]) => {
    const self = all[all.length - 1] as Command;
    const args = self.args;
    const flags = typedFlags(self);
    const env = process.env;
    const secrets = new SecretSet();
    let live: LiveStatus | undefined;
    const shutdown = installShutdown();
    let log: Logger = createCliLogger({ format: 'text', level: 'info', color: false, secrets });
    let code: number;
    try {
      const file = await loadConfigFile({ file: flags.config as string | undefined });
      const config = configSection(file.config, name);
      const common = resolveSettings(
        [
          { key: 'logFormat', type: 'string', env: ['TRICKLE_LOG_FORMAT'], default: 'text' },
          { key: 'quiet', type: 'boolean', env: ['TRICKLE_QUIET'], default: false },
          { key: 'verbose', type: 'boolean', env: ['TRICKLE_VERBOSE'], default: false },
        ],
        { flags, env, config },
      ) as { logFormat: string; quiet: boolean; verbose: boolean };
      if (common.logFormat !== 'text' && common.logFormat !== 'json') {
        throw new TrickleError('TRICKLE_USAGE', `--log-format must be text or json, got ${common.logFormat}`);
      }
      const format = common.logFormat as 'text' | 'json';
      const color = self.opts().color !== false && !('NO_COLOR' in env) && Boolean(process.stderr.isTTY);
      const logOptions: CliLoggerOptions = { format, level: common.quiet ? 'warn' : common.verbose ? 'debug' : 'info', color, secrets };
      log = createCliLogger(logOptions);
      const interactive = Boolean(process.stderr.isTTY) && format === 'text' && !common.quiet;
      const ctx: CommandContext = {
        log,
        config,
        configPath: file.filepath,
        env,
        signal: shutdown.signal,
        interactive,
        color,
        quiet: common.quiet,
        format,
        settings: <T>(specs: readonly SettingSpec[]) => resolveSettings(specs, { flags, env, config }) as T,
        addSecret: (s) => secrets.add(s),
        live: (text) => {
          live?.stop();
          live = liveStatus({ interactive, color, text });
          logOptions.around = live.around;
          return live;
        },
      };
      code = (await handler(ctx, args, self)) ?? EXIT.ok;
    } catch (err) {
      live?.stop();
      code = reportError(log, err, secrets);
    } finally {
      live?.stop();
      shutdown.dispose();
    }
    if (shutdown.exitCode !== undefined && (code === EXIT.ok || code === EXIT.failure)) code = shutdown.exitCode;
    process.exitCode = code;
  });
}

/** Prints one clear error line (plus hint) and returns the exit code for it. */
export function reportError(log: Logger, err: unknown, secrets: Iterable<string> = []): number {
  if (isTrickleError(err)) {
    const { message, hint } = withFlags(err);
    log.error(scrub(message, secrets), { code: err.code, hint, ...err.details });
    return exitCodeFor(err.code);
  }
  const e = err as Error;
  log.error(scrub(e?.message ?? String(err), secrets), { code: 'TRICKLE_INTERNAL' });
  if (process.env.TRICKLE_DEBUG && e?.stack) process.stderr.write(e.stack + '\n');
  return EXIT.failure;
}

/** Adds the "Example:" block every command's --help shows. */
export function withExamples(cmd: Command, ...examples: string[]): Command {
  return cmd.addHelpText('after', '\nExamples:\n' + examples.map((e) => `  $ ${e}`).join('\n') + '\n');
}

/** A command whose implementation has not landed yet: says so and exits 2 (never a fake success). */
export function notYetAvailable(name: string): ActionHandler {
  return async () => {
    throw new TrickleError('TRICKLE_NOT_AVAILABLE', `trickle ${name} is not yet available in this version`);
  };
}
