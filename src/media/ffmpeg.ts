// The one place that finds ffmpeg/ffprobe and spawns them (every ffmpeg child goes through spawnFfmpeg).
import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { execa, type Options, type ResultPromise } from 'execa';
import { FieldError } from '../errors.js';

export type FfmpegSource = 'option' | 'env' | 'ffmpeg-static' | 'path';

export interface FfmpegLocation {
  path: string;
  source: FfmpegSource;
}

export interface ResolveFfmpegOptions {
  /** The binary the user named: wins over everything. */
  ffmpegPath?: string;
  env?: NodeJS.ProcessEnv;
}

/** How to get an ffmpeg; `field` names the setting that picks a binary. */
const installHint = ([field]: readonly string[]) =>
  'Install ffmpeg (Debian/Ubuntu: `sudo apt-get install ffmpeg`, macOS: `brew install ffmpeg`), ' +
  `or point ${field} / FFMPEG_PATH at a binary.`;

/** An ffmpeg (or ffprobe) that is not there. */
const notFound = (message: string) => new FieldError('TRICKLE_FFMPEG_NOT_FOUND', ['ffmpegPath'], () => message, { hint: installHint });

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds `name` on PATH like a shell would; undefined when it is not there. */
export function whichSync(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The binary path ffmpeg-static would give, if its download actually happened. */
function ffmpegStaticPath(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const p = require('ffmpeg-static') as string | null;
    return p && existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves ffmpeg: option, FFMPEG_PATH, ffmpeg-static's binary, PATH; throws with install help otherwise. */
export function resolveFfmpeg(options: ResolveFfmpegOptions = {}): FfmpegLocation {
  const env = options.env ?? process.env;
  if (options.ffmpegPath) {
    if (!isExecutable(options.ffmpegPath)) {
      throw notFound(`ffmpeg not found at ${options.ffmpegPath}`);
    }
    return { path: options.ffmpegPath, source: 'option' };
  }
  if (env.FFMPEG_PATH) {
    if (!isExecutable(env.FFMPEG_PATH)) {
      throw notFound(`FFMPEG_PATH points at ${env.FFMPEG_PATH}, which is not an executable`);
    }
    return { path: env.FFMPEG_PATH, source: 'env' };
  }
  const bundled = ffmpegStaticPath();
  if (bundled) return { path: bundled, source: 'ffmpeg-static' };
  const onPath = whichSync('ffmpeg', env);
  if (onPath) return { path: onPath, source: 'path' };
  throw new FieldError('TRICKLE_FFMPEG_NOT_FOUND', ['ffmpegPath'], ([f]) => `no ffmpeg found (checked ${f}, FFMPEG_PATH, ffmpeg-static, PATH)`, {
    hint: installHint,
  });
}

/** ffprobe beside the resolved ffmpeg, else on PATH (ffmpeg-static ships no ffprobe). */
export function resolveFfprobe(ffmpeg: FfmpegLocation, env: NodeJS.ProcessEnv = process.env): string {
  const sibling = path.join(path.dirname(ffmpeg.path), process.platform === 'win32' ? 'ffprobe.exe' : 'ffprobe');
  if (isExecutable(sibling)) return sibling;
  const onPath = whichSync('ffprobe', env);
  if (onPath) return onPath;
  throw notFound('no ffprobe found beside ffmpeg or on PATH');
}

export interface SpawnFfmpegOptions {
  ffmpeg?: FfmpegLocation;
  signal?: AbortSignal;
  /** 'pipe' (default) to write into stdin, 'ignore' when ffmpeg reads a file. */
  stdin?: 'pipe' | 'ignore';
  stdout?: 'pipe' | 'ignore';
  /** A second output pipe on fd 3 (ffmpeg writes it as `pipe:3`; read it from `.stdio[3]`). */
  fd3?: boolean;
  /** Extra execa options (cwd, env …). */
  extra?: Partial<Options>;
}

/**
 * Spawns ffmpeg with streaming stdio (nothing buffered in memory); the child is killed when
 * `signal` aborts or the parent exits, and SIGKILLed if it ignores SIGTERM for 5 s.
 */
export function spawnFfmpeg(args: readonly string[], options: SpawnFfmpegOptions = {}): ResultPromise {
  const ffmpeg = options.ffmpeg ?? resolveFfmpeg();
  // -nostdin only turns off keyboard interaction; `-i pipe:0` still reads stdin.
  const stdin = options.stdin ?? 'pipe';
  const stdout = options.stdout ?? 'pipe';
  // execa takes either the three named streams or one `stdio` array.
  const stdio = options.fd3 ? { stdio: [stdin, stdout, 'pipe', 'pipe'] } : { stdin, stdout, stderr: 'pipe' };
  return execa(ffmpeg.path, ['-hide_banner', '-nostdin', ...args], {
    ...stdio,
    buffer: false,
    encoding: 'buffer',
    reject: false,
    cleanup: true,
    forceKillAfterDelay: 5000,
    cancelSignal: options.signal,
    ...options.extra,
  } as Options) as ResultPromise;
}

/** Runs ffmpeg (or ffprobe via `binary`) to completion and returns its output; for short probes. */
export async function runFfmpegTool(
  args: readonly string[],
  options: { binary?: string; ffmpeg?: FfmpegLocation; timeoutMs?: number } = {},
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const bin = options.binary ?? (options.ffmpeg ?? resolveFfmpeg()).path;
  const r = await execa(bin, args, { reject: false, timeout: options.timeoutMs ?? 30_000, stdin: 'ignore' });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
