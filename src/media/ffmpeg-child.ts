// One running ffmpeg child: backpressured stdin writes, a stderr tail, exit detection, bounded close().
import type { Readable, Writable } from 'node:stream';
import type { ResultPromise } from 'execa';
import { TrickleError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { spawnFfmpeg, type FfmpegLocation } from './ffmpeg.js';

export interface FfmpegChildOptions {
  ffmpeg?: FfmpegLocation;
  log?: Logger;
  signal?: AbortSignal;
  /** Names the child in logs and errors ('decoder', 'encoder'). */
  name: string;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all. */
  error?: Error;
}

const TAIL_LINES = 20;

/**
 * Warnings our own settings provoke on every run (probing turned off, channel layouts NUT does
 * not carry): kept out of error messages.
 */
const EXPECTED = [/not enough frames to estimate rate/, /Guessed Channel Layout/];

/** Wraps spawnFfmpeg for long-running stream children (decoder/encoder). */
export class FfmpegChild {
  readonly exited: Promise<ChildExit>;
  readonly stdin: Writable;
  readonly stdout: Readable;
  private readonly proc: ResultPromise;
  private readonly log: Logger;
  private readonly tail: string[] = [];
  private partial = '';
  private exit: ChildExit | undefined;
  private closing?: Promise<void>;
  private killedByUs = false;

  constructor(
    args: readonly string[],
    private readonly opts: FfmpegChildOptions,
  ) {
    this.log = (opts.log ?? silentLogger).child({ ffmpeg: opts.name });
    this.proc = spawnFfmpeg(args, { ffmpeg: opts.ffmpeg, signal: opts.signal });
    this.proc.then(
      () => {},
      () => {},
    );
    this.stdin = this.proc.stdin!;
    this.stdout = this.proc.stdout!;
    // execa (buffer: false) resumes a stdout nobody reads yet, and Node drains one when the child
    // exits, discarding it either way; ours is read later (a line's next child waits for the
    // previous one's output), so it is paused from the start and a listener keeps it so at exit.
    this.stdout.pause();
    this.stdout.on('readable', () => {});
    // EPIPE when ffmpeg exits before reading everything: reported through exit status instead.
    this.stdin.on('error', (err) => this.log.debug('ffmpeg stdin error', { error: (err as Error).message }));
    this.proc.stderr!.on('data', (chunk: Buffer) => this.onStderr(chunk));
    this.exited = new Promise<ChildExit>((resolve) => {
      this.proc.once('exit', (code, signal) => resolve((this.exit = { code, signal })));
      this.proc.once('error', (error) => resolve((this.exit ??= { code: null, signal: null, error })));
    });
    this.log.debug('ffmpeg started', { args: args.join(' ') });
  }

  private onStderr(chunk: Buffer): void {
    const lines = (this.partial + chunk.toString('utf8')).split(/\r?\n|\r/);
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      if (EXPECTED.some((re) => re.test(line))) continue;
      this.tail.push(line);
      if (this.tail.length > TAIL_LINES) this.tail.shift();
      this.log.debug(line);
    }
  }

  /** Names the child in logs and errors ('video decoder', 'audio encoder'). */
  get name(): string {
    return this.opts.name;
  }

  /** The last lines ffmpeg wrote to stderr (for error messages). */
  stderrTail(): string {
    return [...this.tail, this.partial].filter((l) => l.trim()).join('\n');
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  /** True when close() (or the abort signal) ended the child, so its exit status is not a failure. */
  get stoppedByUs(): boolean {
    return this.killedByUs || this.opts.signal?.aborted === true;
  }

  /**
   * Writes to stdin and resolves once the bytes are handed to the OS (so the caller may reuse
   * its buffer, and a slow ffmpeg slows the caller: backpressure). Several pieces (frame
   * header + frame) leave in one writev.
   */
  async write(chunk: Uint8Array | readonly Uint8Array[]): Promise<void> {
    if (this.stdin.writableEnded && !this.exit) throw new TrickleError('TRICKLE_INTERNAL', `ffmpeg ${this.opts.name}: write after end of input`);
    if (this.exit || this.stdin.destroyed || this.stdin.writableEnded) throw await this.deadError();
    const pieces = chunk instanceof Uint8Array ? [chunk] : chunk;
    const failed = await new Promise<boolean>((resolve) => {
      this.stdin.cork();
      pieces.forEach((piece, i) => this.stdin.write(piece, i === pieces.length - 1 ? (err) => resolve(!!err) : undefined));
      this.stdin.uncork();
    });
    if (failed) throw await this.deadError();
  }

  /** Closes stdin so ffmpeg flushes and exits. */
  endInput(): void {
    if (!this.stdin.destroyed && !this.stdin.writableEnded) this.stdin.end();
  }

  /** The error describing how the child ended, or undefined for a clean exit / our own kill. */
  failure(exit: ChildExit, code: 'TRICKLE_FFMPEG_EXIT' | 'TRICKLE_BAD_MEDIA' = 'TRICKLE_FFMPEG_EXIT'): TrickleError | undefined {
    if (this.stoppedByUs) return undefined;
    if (exit.error) return new TrickleError('TRICKLE_FFMPEG_EXIT', `ffmpeg ${this.opts.name} could not start: ${exit.error.message}`, { cause: exit.error });
    if (exit.code === 0) return undefined;
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const tail = this.stderrTail();
    // Input ffmpeg cannot use makes it exit with a code; a signal came from outside.
    return new TrickleError(exit.signal ? 'TRICKLE_FFMPEG_EXIT' : code, `ffmpeg ${this.opts.name} ${how}${tail ? `:\n${tail}` : ''}`, {
      details: { exitCode: exit.code, signal: exit.signal, stderr: tail },
    });
  }

  private async deadError(): Promise<TrickleError> {
    const exit = await this.exited;
    return (
      this.failure(exit) ??
      new TrickleError(this.stoppedByUs ? 'TRICKLE_ABORTED' : 'TRICKLE_FFMPEG_EXIT', `ffmpeg ${this.opts.name} is no longer running`)
    );
  }

  /** Kills the child (SIGTERM, then SIGKILL after 2 s) and waits for it; idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.exit) return;
      this.killedByUs = true;
      this.stdin.destroy();
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 2000);
      await this.exited;
      clearTimeout(timer);
      this.stdout.destroy();
    })();
    return this.closing;
  }
}
