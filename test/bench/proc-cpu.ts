// CPU time of a process and its ffmpeg children, read from Linux's /proc, for benchmarks that report CPU per frame by process.
import { readFileSync } from 'node:fs';
import { kindOf } from '../helpers/children.js';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const HZ = 100;

/**
 * User and system CPU of `pid` so far, in ms (all its threads); with `thread`, of that thread alone
 * (a process's main thread has the process's own id). Undefined once it is gone.
 */
export function cpuOf(pid: number, thread?: number): { user: number; sys: number } | undefined {
  try {
    const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: (Number(f[11]) * 1000) / HZ, sys: (Number(f[12]) * 1000) / HZ };
  } catch {
    return undefined;
  }
}

/** The pids `pid` started (one level). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** What an ffmpeg child of ours does, read from its arguments: "ffmpeg video encoder (libx264)" and the like. */
export function childRole(pid: number): string {
  let args: string[];
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return 'gone';
  }
  const after = (flag: string) => args[args.indexOf(flag) + 1] ?? '';
  const kind = kindOf(args.join(' '));
  if (kind) {
    const detail = kind === 'video decoder' ? `→ ${after('-pix_fmt')}` : kind === 'audio encoder' ? after('-c:a') : kind.startsWith('video') ? after('-c:v') : '';
    return `ffmpeg ${kind}${detail ? ` (${detail})` : ''}`;
  }
  return `ffmpeg other (${args[0] ?? '?'})`;
}

/**
 * CPU seconds by role of `root` (named `rootRole`) and its children between start() and stop().
 * Children come and go (restarts, streams starting): each is sampled often and its last reading counts.
 */
export function cpuByRole(root: number, rootRole = 'node') {
  const first = new Map<number, number>();
  const last = new Map<number, { role: string; ms: number }>();
  const roles = new Map<number, string>();
  const sample = () => {
    for (const pid of [root, ...childrenOf(root)]) {
      const c = cpuOf(pid);
      if (!c) continue;
      const role = pid === root ? rootRole : (roles.get(pid) ?? roles.set(pid, childRole(pid)).get(pid)!);
      if (!first.has(pid)) first.set(pid, c.user + c.sys);
      last.set(pid, { role, ms: c.user + c.sys });
    }
  };
  let timer: NodeJS.Timeout | undefined;
  return {
    start() {
      sample();
      timer = setInterval(sample, 200);
    },
    /** The roles of the children running now. */
    roles: () => childrenOf(root).map(childRole),
    stop(): Record<string, number> {
      sample();
      clearInterval(timer);
      const by: Record<string, number> = {};
      for (const [pid, { role, ms }] of last) by[role] = (by[role] ?? 0) + (ms - first.get(pid)!) / 1000;
      return by;
    },
  };
}

/** CPU seconds by role over `frames` frames: ms a frame by role, and in all ("total"), to 0.01 ms. */
export function perFrame(cpu: Record<string, number>, frames: number): Record<string, number> {
  const out: Record<string, number> = {};
  let total = 0;
  for (const [r, s] of Object.entries(cpu).sort()) {
    out[r] = +((1000 * s) / frames).toFixed(2);
    total += s;
  }
  out.total = +((1000 * total) / frames).toFixed(2);
  return out;
}
