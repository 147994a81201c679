// The Node process's garbage collections by kind, counted as V8 reports them (one observer per process).
import { PerformanceObserver, constants } from 'node:perf_hooks';

export type GcKind = 'major' | 'minor' | 'incremental' | 'weakcb';
export const GC_KINDS: readonly GcKind[] = ['major', 'minor', 'incremental', 'weakcb'];

const KIND_OF: Record<number, GcKind> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

export interface GcTotals {
  count: Record<GcKind, number>;
  /** Main-thread pause, seconds (concurrent marking on V8's worker threads is not in it). */
  seconds: Record<GcKind, number>;
}

let totals: GcTotals | undefined;

/** Collections since the first call (which starts counting), by kind. */
export function gcTotals(): GcTotals {
  if (!totals) {
    const t: GcTotals = { count: { major: 0, minor: 0, incremental: 0, weakcb: 0 }, seconds: { major: 0, minor: 0, incremental: 0, weakcb: 0 } };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = KIND_OF[((e as { detail?: { kind?: number } }).detail)?.kind ?? -1];
        if (!kind) continue;
        t.count[kind]++;
        t.seconds[kind] += e.duration / 1000;
      }
    }).observe({ entryTypes: ['gc'] });
    totals = t;
  }
  return totals;
}
