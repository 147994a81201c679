// Per-stage frame latency: when each frame (by pts) left the demuxer, the decoder, entered and left the processor, left the encoder, reached the relay.

/** The stages a frame's latency is split into; `total` is demuxer to relay. */
export const STAGES = ['decode', 'queue', 'processor', 'encode', 'publish', 'total'] as const;
export type StageName = (typeof STAGES)[number];

/** The moments a frame passes, in order (reaching the relay is `published()`). */
export type StageMark = 'demuxed' | 'decoded' | 'processing' | 'processed' | 'encoded';
const MARKS: readonly StageMark[] = ['demuxed', 'decoded', 'processing', 'processed', 'encoded'];
const INDEX: Record<StageMark, number> = { demuxed: 0, decoded: 1, processing: 2, processed: 3, encoded: 4 };

export interface StagePercentiles {
  p50: number;
  p95: number;
}

/** Frames followed at once at most (a frame never published is forgotten with older ones). */
const MAX_PENDING = 600;
/** Percentiles are over this many recent frames. */
const WINDOW = 300;

/** Remembers each frame's marks by pts and turns them into stage durations (ms) when it is published. */
export class StageClock {
  private readonly pending = new Map<number, Float64Array>();
  private readonly recent = STAGES.map(() => new Float64Array(WINDOW));
  private count = 0;

  /** The frame with `pts` passed `mark` now. */
  mark(pts: number, mark: StageMark, now = performance.now()): void {
    let marks = this.pending.get(pts);
    if (!marks) {
      if (mark !== 'demuxed' && mark !== 'decoded') return;
      marks = new Float64Array(MARKS.length).fill(NaN);
      this.pending.set(pts, marks);
      if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value as number);
    }
    marks[INDEX[mark]] = now;
  }

  /**
   * Encoded bytes carrying `pts` reached the relay now: returns its stage durations in ms (a stage
   * whose marks are missing is absent), or undefined for a frame never marked.
   */
  published(pts: number, now = performance.now()): Partial<Record<StageName, number>> | undefined {
    const m = this.pending.get(pts);
    if (m === undefined) return undefined;
    // Everything at or before this pts has been written (or dropped): forget it.
    for (const k of this.pending.keys()) {
      if (k <= pts) this.pending.delete(k);
      else break;
    }
    const start = Number.isNaN(m[0]) ? m[1] : m[0];
    const span = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? undefined : b - a);
    const out: Partial<Record<StageName, number>> = {
      decode: span(m[0], m[1]),
      queue: span(m[1], m[2]),
      processor: span(m[2], m[3]),
      encode: span(m[3], m[4]),
      publish: span(m[4], now),
      total: span(start, now),
    };
    const slot = this.count++ % WINDOW;
    STAGES.forEach((s, i) => (this.recent[i]![slot] = out[s] ?? NaN));
    return out;
  }

  /** p50/p95 per stage over the last frames (0 before any). */
  percentiles(): Record<StageName, StagePercentiles> {
    const n = Math.min(this.count, WINDOW);
    const out = {} as Record<StageName, StagePercentiles>;
    STAGES.forEach((s, i) => {
      const values = Array.from(this.recent[i]!.subarray(0, n)).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
      const at = (q: number) => (values.length ? Math.round(values[Math.min(values.length - 1, Math.floor(q * values.length))]! * 10) / 10 : 0);
      out[s] = { p50: at(0.5), p95: at(0.95) };
    });
    return out;
  }
}
