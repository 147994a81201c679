// The ffmpeg children of a process (trickle process, trickle serve), told apart by their arguments, to kill one.
import { execa } from 'execa';
import { until } from './until.js';

export type ChildKind = 'video decoder' | 'audio decoder' | 'video encoder' | 'audio encoder' | 'video transcoder';
/** The children of a stream whose processor reads frames; one without a video() hook has a video transcoder instead of the video pair. */
export const CHILD_KINDS: readonly ChildKind[] = ['video decoder', 'audio decoder', 'video encoder', 'audio encoder'];

export interface MediaChild {
  pid: number;
  kind?: ChildKind;
  args: string;
}

/** Which of a stream's children an ffmpeg command line is (see decoder-args.ts, encoder-args.ts and transcoder-args.ts). */
export function kindOf(args: string): ChildKind | undefined {
  if (/-c:v rawvideo/.test(args)) return 'video decoder';
  if (/-flags low_delay .*-c:v (libx264|h264_nvenc)/.test(args)) return 'video transcoder';
  if (/-f mpegts -i pipe:0/.test(args)) return 'audio decoder';
  if (/-c:v (libx264|h264_nvenc)/.test(args)) return 'video encoder';
  if (/-c:a (aac|libopus)/.test(args)) return 'audio encoder';
  return undefined;
}

/** The ffmpeg processes whose parent is `pid`, now. */
export async function mediaChildren(pid: number): Promise<MediaChild[]> {
  const r = await execa('ps', ['--ppid', String(pid), '-o', 'pid=,args='], { reject: false });
  return String(r.stdout)
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && /ffmpeg/.test(m[2]))
    .map((m) => ({ pid: Number(m[1]), args: m[2], kind: kindOf(m[2]) }));
}

/** Waits for a `kind` child of `pid` (other than those in `not`, and one whose args match `match`) and returns it. */
export async function findChild(pid: number, kind: ChildKind, opts: { not?: number[]; match?: RegExp; timeoutMs?: number } = {}): Promise<MediaChild> {
  let seen: MediaChild[] = [];
  return until(
    `a ${kind} of ${pid}`,
    async () => (seen = await mediaChildren(pid)).find((c) => c.kind === kind && !opts.not?.includes(c.pid) && (!opts.match || opts.match.test(c.args))),
    opts.timeoutMs ?? 30_000,
    100,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; children seen last: ${seen.map((c) => `${c.pid} ${c.kind ?? c.args}`).join('; ') || 'none'}`);
  });
}

/** Waits for a `kind` child of `pid` as `findChild` does, SIGKILLs it and returns its pid. */
export async function killChild(pid: number, kind: ChildKind, opts: { not?: number[]; match?: RegExp; timeoutMs?: number } = {}): Promise<number> {
  const victim = await findChild(pid, kind, opts);
  process.kill(victim.pid, 'SIGKILL');
  return victim.pid;
}
