// Test relays: an in-process one on a free port, or the real `trickle relay` CLI as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRelay, type Relay, type RelayOptions } from '../../src/relay/index.js';
import { BIN } from './cli.js';

/** Starts an in-process relay on 127.0.0.1 and a free port (unless `options.port` is given); call close() in after(). */
export function startRelay(options: RelayOptions = {}): Promise<Relay> {
  return createRelay({ port: 0, ...options });
}

export interface RelayChild {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the child wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves with the exit code (or the signal name). Idempotent. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * Starts `trickle relay --port 0 ...args` (or the --port in args) and resolves once it printed
 * its listening line. Use it to kill and restart a relay on the same port mid-stream.
 */
export async function spawnRelayCli(args: string[] = [], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RelayChild> {
  const fullArgs = args.includes('--port') ? args : ['--port', '0', ...args];
  const child = spawn(process.execPath, [BIN, 'relay', ...fullArgs], {
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`trickle relay did not start within ${options.timeoutMs ?? 30_000} ms; stderr:\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.stderr!.on('data', (text: string) => {
      stderr += text;
      const m = /listening on (https?:\/\/[^\s"]+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`trickle relay exited (${code}) before listening; stderr:\n${stderr}`));
    });
  });
  let stopping: Promise<number | string> | undefined;
  return {
    url,
    port: Number(new URL(url).port),
    child,
    stderr: () => stderr,
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        const force = setTimeout(() => child.kill('SIGKILL'), 5000);
        const code = await exited;
        clearTimeout(force);
        return code;
      })();
      return stopping;
    },
  };
}
