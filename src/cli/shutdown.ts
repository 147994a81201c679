// Graceful SIGINT/SIGTERM: abort the running command's signal, exit 130/143 after cleanup; a second Ctrl-C forces it.
// A reader that went away (stdout/stderr EPIPE, `trickle … | head`) ends the command the same way, with exit 0.
import { EXIT } from './exit-codes.js';

export interface Shutdown {
  /** Aborted (reason 'SIGINT' | 'SIGTERM') when a signal arrives. */
  signal: AbortSignal;
  /** The exit code the signal asks for, or undefined when none arrived. */
  readonly exitCode: number | undefined;
  dispose(): void;
}

/** Installs the signal handlers for one CLI run. */
export function installShutdown(options: { forceAfterMs?: number; onForce?: () => void } = {}): Shutdown {
  const controller = new AbortController();
  let exitCode: number | undefined;
  let forceTimer: NodeJS.Timeout | undefined;
  const onSignal = (name: 'SIGINT' | 'SIGTERM') => {
    const code = name === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
    if (exitCode !== undefined) {
      // Second signal: the user means it.
      options.onForce?.();
      process.exit(code);
    }
    exitCode = code;
    controller.abort(name);
    forceTimer = setTimeout(() => {
      options.onForce?.();
      process.exit(code);
    }, options.forceAfterMs ?? 10_000);
    forceTimer.unref();
  };
  const sigint = () => onSignal('SIGINT');
  const sigterm = () => onSignal('SIGTERM');
  const outputClosed = (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' || exitCode !== undefined) return;
    exitCode = EXIT.ok;
    controller.abort('EPIPE');
    forceTimer = setTimeout(() => process.exit(EXIT.ok), options.forceAfterMs ?? 10_000);
    forceTimer.unref();
  };
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);
  process.stdout.on('error', outputClosed);
  process.stderr.on('error', outputClosed);
  return {
    signal: controller.signal,
    get exitCode() {
      return exitCode;
    },
    dispose() {
      process.off('SIGINT', sigint);
      process.off('SIGTERM', sigterm);
      process.stdout.off('error', outputClosed);
      process.stderr.off('error', outputClosed);
      if (forceTimer) clearTimeout(forceTimer);
    },
  };
}
