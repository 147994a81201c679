// The metrics text passes Prometheus's own `promtool check metrics` and says what the streams say.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics, type StreamView } from '../../src/metrics/registry.js';
import { promtool } from '../helpers/promtool.js';

const view = (id: string, over: Partial<StreamView> = {}): StreamView => ({
  id, state: 'ONLINE', framesIn: 300, framesOut: 290, framesDropped: 10, framesErrored: 1, inputFps: 30, outputFps: 29.5, restarts: 0, bytesIn: 12345, bytesOut: 23456, segmentsLost: 0, ...over,
});

describe('metrics', () => {
  it('two streams and a worker: promtool finds nothing to complain about; values and states as given', async () => {
    let streams = [view('a'), view('b', { state: 'DEGRADED_INPUT', framesIn: 7 })];
    const m = createMetrics({
      streams: () => streams,
      worker: () => ({ status: 'OK', capacity: 2, loadSeconds: 1.5, registration: 'registered' }),
      gpus: async () => [{ id: 'GPU-1', name: 'Test GPU', utilization: 0.25, memoryUsedBytes: 1e9, memoryTotalBytes: 8e9 }],
    });
    m.observeStages('a', { decode: 0.002, processor: 0.01, total: 0.02 });
    const text = await m.text();
    assert.equal(await promtool(text), '');
    assert.match(text, /^trickle_stream_frames_in_total\{stream_id="b"\} 7$/m);
    assert.match(text, /^trickle_stream_state\{stream_id="b",state="DEGRADED_INPUT"\} 1$/m);
    assert.match(text, /^trickle_stream_state\{stream_id="b",state="ONLINE"\} 0$/m);
    assert.match(text, /^trickle_stream_stage_latency_seconds_count\{stream_id="a",stage="processor"\} 1$/m);
    assert.match(text, /^trickle_worker_state\{state="OK"\} 1$/m);
    assert.match(text, /^trickle_worker_capacity 2$/m);
    assert.match(text, /^trickle_gpu_utilization_ratio\{gpu="GPU-1",name="Test GPU"\} 0.25$/m);
    streams = [view('a')];
    m.forget('b');
    const after = await m.text();
    assert.ok(!after.includes('stream_id="b"'), 'an ended stream has no series');
  });

  it("the Node process's garbage collections by kind: young collections counted as V8 runs them", async () => {
    const m = createMetrics({ streams: () => [], gpus: async () => [] });
    const read = async (name: string, kind: string) => Number(new RegExp(`^${name}\\{kind="${kind}"\\} (\\S+)$`, 'm').exec(await m.text())?.[1]);
    const before = await read('trickle_process_gc_total', 'minor');
    // Short-lived objects, well past a young generation's size, with turns of the event loop for V8's reports.
    let sink: unknown;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 100_000; i++) sink = { i, pair: [i, i + 1] };
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(sink);
    const text = await m.text();
    assert.equal(await promtool(text), '');
    const after = await read('trickle_process_gc_total', 'minor');
    assert.ok(after > before, `young collections ${before} → ${after}`);
    assert.ok((await read('trickle_process_gc_seconds_total', 'minor')) > 0);
    for (const kind of ['major', 'reducing', 'incremental', 'weakcb']) assert.ok(Number.isFinite(await read('trickle_process_gc_total', kind)), kind);
  });
});
