// Runs the built CLI (bin/trickle.js) as a child process, the way users run it.
import { execa, type Options, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../../bin/trickle.js', import.meta.url));

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `trickle ...args` to completion (default timeout 60 s) and returns its output. */
export async function runCli(args: string[], options: Options = {}): Promise<CliResult> {
  const r = await execa(process.execPath, [BIN, ...args], { reject: false, timeout: 60_000, env: { NO_COLOR: '1' }, ...options });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** Starts `trickle ...args` in the background; the caller must kill or await it. */
export function spawnCli(args: string[], options: Options = {}): ResultPromise {
  return execa(process.execPath, [BIN, ...args], {
    reject: false,
    env: { NO_COLOR: '1' },
    forceKillAfterDelay: 5000,
    cleanup: true,
    ...options,
  } as Options) as ResultPromise;
}
