// The typed-array stage histogram exposes exactly what prom-client's own Histogram exposes for the same observations.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry, type Metric } from 'prom-client';
import { StageHistogram } from '../../src/metrics/stage-histogram.js';
import { promtool } from '../helpers/promtool.js';

const BOUNDS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.033, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];
const STAGES = ['decode', 'queue', 'processor', 'encode', 'publish', 'total'];
const NAME = 'trickle_stream_stage_latency_seconds';
const HELP = 'Per-frame latency by stage';

function pair(): { ours: StageHistogram; theirs: Histogram; text: () => Promise<[string, string]> } {
  const a = new Registry();
  const b = new Registry();
  const ours = new StageHistogram(NAME, HELP, BOUNDS, STAGES);
  a.registerMetric(ours as unknown as Metric);
  const theirs = new Histogram({ name: NAME, help: HELP, labelNames: ['stream_id', 'stage'], buckets: BOUNDS, registers: [b] });
  return { ours, theirs, text: async () => [await a.metrics(), await b.metrics()] };
}

/** A small deterministic generator, so a failure reproduces. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('stage histogram', () => {
  it('gives prom-client’s exposition, byte for byte, for the same observations (bounds themselves, beyond the last, zero)', async () => {
    const { ours, theirs, text } = pair();
    const rnd = lcg(7);
    const values = [0, ...BOUNDS, 5.0001, 12, 1e-9];
    for (let i = 0; i < 3000; i++) {
      const stream = ['a', 'b', 'c"quoted\\'][i % 3]!;
      const stage = Math.floor(rnd() * STAGES.length);
      if (stream === 'b' && STAGES[stage] === 'queue') continue; // a stage never observed has no series
      const v = i < values.length * 3 ? values[Math.floor(i / 3)]! : rnd() ** 3 * 3;
      ours.observe(stream, stage, v);
      theirs.observe({ stream_id: stream, stage: STAGES[stage]! }, v);
    }
    const [mine, reference] = await text();
    assert.equal(mine, reference);
    assert.match(mine, /^trickle_stream_stage_latency_seconds_count\{stream_id="a",stage="total"\} \d+$/m);
    assert.ok(!mine.includes('stream_id="b",stage="queue"'));
    assert.equal(await promtool(mine + '\n'), '');
  });

  it('drops a stream’s series on remove, as prom-client does, and keeps the others', async () => {
    const { ours, theirs, text } = pair();
    for (const s of ['a', 'b']) {
      ours.observe(s, 5, 0.02);
      theirs.observe({ stream_id: s, stage: 'total' }, 0.02);
    }
    ours.remove('a');
    theirs.remove({ stream_id: 'a', stage: 'total' });
    const [mine, reference] = await text();
    assert.equal(mine, reference);
    assert.ok(!mine.includes('stream_id="a"'));
    assert.match(mine, /stream_id="b",stage="total"\} 1$/m);
  });

  it('ignores what is not a duration (negative, NaN, infinite) and a stage out of range', async () => {
    const { ours, text } = pair();
    ours.observe('a', 0, -1);
    ours.observe('a', 0, Number.NaN);
    ours.observe('a', 0, Infinity);
    ours.observe('a', 6, 0.1);
    ours.observe('a', -1, 0.1);
    const [mine] = await text();
    assert.ok(!mine.includes('stream_id="a"'), mine);
    assert.throws(() => new StageHistogram(NAME, HELP, [0.1, 0.1], STAGES), /must increase/);
  });

  it('gives JSON the same series with the stream and stage among the labels', async () => {
    const { ours } = pair();
    ours.observe('a', 2, 0.004);
    const count = ours.get().values.find((v) => v.metricName === `${NAME}_count`)!;
    assert.deepEqual(count.labels, { stream_id: 'a', stage: 'processor' });
    assert.equal(count.value, 1);
  });
});
