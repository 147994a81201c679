// Samples a child's /proc file while it runs: the value read last before it exits survives it.
import { readFile } from 'node:fs/promises';

/** Reads /proc/<pid>/<file> every `everyMs` and folds each reading into a value, until stop() returns it. */
export function procSampler(pid: number, file: 'stat' | 'status', fold: (text: string, prev: number) => number, everyMs = 100): { stop(): number } {
  let value = 0;
  const read = async () => {
    try {
      value = fold(await readFile(`/proc/${pid}/${file}`, 'utf8'), value);
    } catch {
      /* gone */
    }
  };
  const t = setInterval(() => void read(), everyMs);
  return {
    stop() {
      clearInterval(t);
      return value;
    },
  };
}
