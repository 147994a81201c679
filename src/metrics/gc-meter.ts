// The Node process's garbage collections by kind, counted as V8 reports them (one observer per process).
//
// A major collection is either one V8 started because the old generation grew (or one a program
// forced), or one its memory reducer started to shrink the heap ("reducing"): the reducer runs once
// V8 judges the program idle, or as a watchdog when no major collection happened for 100 s. A
// reducing collection also drops the object layouts (maps) no live object uses any more, so the
// optimized code that relied on them is thrown away and compiled again: in a worker carrying one
// stream, about 20 functions at once (Node's own stream code; 44 to 54 before the NUT and PES
// per-frame objects kept their layouts, see media/nut/bytes.ts), and Node's CPU per frame a few
// tenths of a ms higher until they are (10 to 20 s under the stream commands, see
// cli/hot-code.ts). V8 marks the reducer's collections by asking the embedder to collect all
// external memory, without the synchronous phantom-callback processing that its
// external-memory-pressure collections ask for; that is how they are told apart here.
import { PerformanceObserver, constants } from 'node:perf_hooks';

export type GcKind = 'major' | 'reducing' | 'minor' | 'incremental' | 'weakcb';
export const GC_KINDS: readonly GcKind[] = ['major', 'reducing', 'minor', 'incremental', 'weakcb'];

const KIND_OF: Record<number, GcKind> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

const REDUCER_FLAGS = constants.NODE_PERFORMANCE_GC_FLAGS_ALL_EXTERNAL_MEMORY | constants.NODE_PERFORMANCE_GC_FLAGS_SYNCHRONOUS_PHANTOM_PROCESSING;

/** The kind of one collection from V8's report (kind and callback flags); undefined for kinds not counted. */
export function gcKindOf(kind: number, flags: number): GcKind | undefined {
  const k = KIND_OF[kind];
  if (k === 'major' && (flags & REDUCER_FLAGS) === constants.NODE_PERFORMANCE_GC_FLAGS_ALL_EXTERNAL_MEMORY) return 'reducing';
  return k;
}

export interface GcTotals {
  count: Record<GcKind, number>;
  /** Main-thread pause, seconds (concurrent marking on V8's worker threads is not in it). */
  seconds: Record<GcKind, number>;
}

let totals: GcTotals | undefined;

/** Collections since the first call (which starts counting), by kind. */
export function gcTotals(): GcTotals {
  if (!totals) {
    const zero = (): Record<GcKind, number> => ({ major: 0, reducing: 0, minor: 0, incremental: 0, weakcb: 0 });
    const t: GcTotals = { count: zero(), seconds: zero() };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const detail = (e as { detail?: { kind?: number; flags?: number } }).detail;
        const kind = gcKindOf(detail?.kind ?? -1, detail?.flags ?? 0);
        if (!kind) continue;
        t.count[kind]++;
        t.seconds[kind] += e.duration / 1000;
      }
    }).observe({ entryTypes: ['gc'] });
    totals = t;
  }
  return totals;
}
