// Per-frame stage latencies by stream as a Prometheus histogram kept in flat typed arrays.
//
// Why not prom-client's Histogram: each observe() there builds its label set into a string key
// (and a closure and two objects) before it counts; a stream observes six stages a frame, 180 times
// a second, all for a scrape every 15 s or so. Here an observation is a bucket search and three
// additions. The exposition is a histogram's, line for line (prom-client's registry formats it).

/** One series' numbers as prom-client's registry formats them. */
interface MetricValue {
  metricName: string;
  labels: Record<string, string | number>;
  sharedLabels: Record<string, string>;
  value: number;
}

/**
 * A histogram with labels `stream_id` and `stage`: a series per stream and stage. Register it in a
 * prom-client Registry with `registry.registerMetric(h)`.
 */
export class StageHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  /** Per stream: for each stage, a count per bucket (the last one past every bound), the sum, the count. */
  private readonly series = new Map<string, Float64Array>();
  /** Series in the order of their first observation (the order the exposition lists them in). */
  private order: { streamId: string; stage: number; s: Float64Array }[] = [];
  private readonly width: number;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    private readonly stages: readonly string[],
  ) {
    for (let i = 1; i < bounds.length; i++) if (!(bounds[i]! > bounds[i - 1]!)) throw new Error(`${name}: bucket bounds must increase`);
    this.width = bounds.length + 3;
  }

  /** One observation of stage number `stage` (an index into the stages given) for `streamId`. */
  observe(streamId: string, stage: number, value: number): void {
    if (!(value >= 0) || value === Infinity || stage < 0 || stage >= this.stages.length) return;
    let s = this.series.get(streamId);
    if (!s) this.series.set(streamId, (s = new Float64Array(this.stages.length * this.width)));
    const bounds = this.bounds;
    let b = 0;
    while (b < bounds.length && value > bounds[b]!) b++;
    const at = stage * this.width;
    if (s[at + bounds.length + 2] === 0) this.order.push({ streamId, stage, s });
    s[at + b]!++;
    s[at + bounds.length + 1] += value;
    s[at + bounds.length + 2]!++;
  }

  /** A stream ended: its series go. */
  remove(streamId: string): void {
    if (this.series.delete(streamId)) this.order = this.order.filter((o) => o.streamId !== streamId);
  }

  reset(): void {
    this.series.clear();
    this.order = [];
  }

  /** The registry reads this at scrape time (a stage never observed for a stream has no series). */
  getForPromString(): { name: string; help: string; type: string; aggregator: string; values: MetricValue[] } {
    const values: MetricValue[] = [];
    const n = this.bounds.length;
    for (const { streamId, stage, s } of this.order) {
      const at = stage * this.width;
      const count = s[at + n + 2]!;
      const shared = { stream_id: streamId, stage: this.stages[stage]! };
      let acc = 0;
      for (let b = 0; b < n; b++) {
        acc += s[at + b]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { le: this.bounds[b]! }, sharedLabels: shared, value: acc });
      }
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf' }, sharedLabels: shared, value: count });
      values.push({ metricName: `${this.name}_sum`, labels: {}, sharedLabels: shared, value: s[at + n + 1]! });
      values.push({ metricName: `${this.name}_count`, labels: {}, sharedLabels: shared, value: count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** The same values with each series' labels in one set (as prom-client's own metrics give them to JSON). */
  get(): ReturnType<StageHistogram['getForPromString']> {
    const data = this.getForPromString();
    data.values = data.values.map((v) => ({ ...v, labels: { ...v.labels, ...v.sharedLabels }, sharedLabels: {} }));
    return data;
  }
}
