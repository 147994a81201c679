// The `trickle` program: parses the command line and dispatches to one subcommand.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { relayCommand } from './commands/relay.js';
import { publishCommand } from './commands/publish.js';
import { subscribeCommand } from './commands/subscribe.js';
import { processCommand } from './commands/process.js';
import { serveCommand } from './commands/serve.js';
import { registerCommand } from './commands/register.js';
import { demoCommand } from './commands/demo.js';
import { doctorCommand } from './commands/doctor.js';
import { initCommand } from './commands/init.js';
import { probeCommand } from './commands/probe.js';
import { EXIT } from './exit-codes.js';

/** The package version, read from package.json next to dist/. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command('trickle')
    .description('Live video over the trickle protocol: relay, publish, subscribe, process, serve.')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const cmd of [
    relayCommand(),
    publishCommand(),
    subscribeCommand(),
    processCommand(),
    serveCommand(),
    registerCommand(),
    demoCommand(),
    doctorCommand(),
    probeCommand(),
    initCommand(),
  ]) {
    cmd.exitOverride();
    cmd.showHelpAfterError('(run with --help for usage)');
    program.addCommand(cmd);
  }
  return program;
}

/** Output to a reader that went away (`trickle … --help | head -1`) is dropped quietly; the exit code stays 0. */
function ignoreClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
}

/**
 * Once the command is done, nothing may keep the process alive: a processor's call that never
 * settles (a request to a server that never answers) still holds a socket or a timer. Output
 * has a moment to flush, then the process exits with the command's code.
 */
function exitWhenDone(lingerMs = 1000): void {
  setTimeout(() => process.exit(), lingerMs).unref();
}

/** Runs the CLI on argv; sets process.exitCode (2 for usage errors). */
export async function main(argv: string[]): Promise<void> {
  ignoreClosedOutput();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
      process.exitCode = EXIT.ok;
      return;
    }
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      process.exitCode = EXIT.usage;
      return;
    }
    throw err;
  } finally {
    exitWhenDone();
  }
}
