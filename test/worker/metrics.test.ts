// `trickle serve`: GET /metrics while two streams run (promtool-clean, the numbers /stream/status shows, no URL or secret), stream states in /stream/status and events, the ERROR roll-up into /health.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { watchEvents } from '../helpers/events.js';
import { promtool, sample } from '../helpers/promtool.js';
import { until } from '../helpers/until.js';
import { api, serveWithInput } from './serve-child.js';

const PACED = fileURLToPath(new URL('./fixtures/paced.js', import.meta.url));
const HANGS = fileURLToPath(new URL('./fixtures/hang-at.js', import.meta.url));
const TOKEN = 'metrics-s3cret-token';
const auth = { authorization: `Bearer ${TOKEN}` };

interface StreamStatus {
  stream_id: string;
  stats: { state: string; frames_in: number; frames_out: number; frames_dropped: number; stage_latency_ms: Record<string, { p50: number; p95: number }> };
}

test('two streams: /metrics refuses without the token, passes promtool, matches /stream/status, names no URL or secret; a stopped stream says OFFLINE and leaves the scrape', async () => {
  const served = await serveWithInput(['--processor', PACED, '--capacity', '2', '--api-token', TOKEN], { env: { TRICKLE_EVENT_INTERVAL_MS: '1000' } });
  const { serve, ch } = served;
  const eventsB = watchEvents(ch('chan-events-b'));
  try {
    for (const [id, delay] of [['fast', 0], ['slow', 150]] as const) {
      const r = await api(serve.url, '/stream/start', {
        headers: auth,
        body: { gateway_request_id: id, subscribe_url: ch('in'), publish_url: ch(`chan-out-${id}`), events_url: ch(`chan-events-${id === 'fast' ? 'a' : 'b'}`), params: { delay_ms: delay } },
      });
      assert.equal(r.status, 200, r.text);
    }
    const byId = async (): Promise<Map<string, StreamStatus>> => {
      const st = await api(serve.url, '/stream/status', { headers: auth });
      return new Map(((st.json.streams ?? []) as StreamStatus[]).map((s) => [s.stream_id, s]));
    };
    await until('fast ONLINE and slow DEGRADED_INFERENCE', async () => {
      const m = await byId();
      const out = (id: string) => m.get(id)?.stats.frames_out ?? 0;
      return m.get('fast')?.stats.state === 'ONLINE' && m.get('slow')?.stats.state === 'DEGRADED_INFERENCE' && out('fast') > 30 && out('slow') > 30 ? true : undefined;
    }, 60_000, 250);

    const refused = await fetch(`${serve.url}/metrics`);
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer');

    const res = await fetch(`${serve.url}/metrics`, { headers: auth });
    assert.equal(res.status, 200);
    assert.match(String(res.headers.get('content-type')), /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const status = await byId();
    assert.equal(await promtool(text), '');
    assert.ok(!text.includes(TOKEN) && !text.includes('http://') && !text.includes('chan-'), 'no secret or channel in the scrape');
    for (const [id, s] of status) {
      const inMetric = sample(text, `trickle_stream_frames_in_total{stream_id="${id}"}`)!;
      const outMetric = sample(text, `trickle_stream_frames_out_total{stream_id="${id}"}`)!;
      // /stream/status was read just after the scrape: the same counters, a few frames on at most.
      assert.ok(inMetric > 0 && s.stats.frames_in >= inMetric && s.stats.frames_in - inMetric <= 60, `${id} frames in: metric ${inMetric}, status ${s.stats.frames_in}`);
      assert.ok(s.stats.frames_out >= outMetric && s.stats.frames_out - outMetric <= 60, `${id} frames out: metric ${outMetric}, status ${s.stats.frames_out}`);
      assert.equal(sample(text, `trickle_stream_state{stream_id="${id}",state="${s.stats.state}"}`), 1, `${id} state ${s.stats.state}`);
      assert.ok(sample(text, `trickle_stream_stage_latency_seconds_count{stream_id="${id}",stage="total"}`)! > 0);
    }
    assert.ok(status.get('slow')!.stats.stage_latency_ms.processor!.p50 >= 140, JSON.stringify(status.get('slow')!.stats.stage_latency_ms));
    assert.equal(sample(text, 'trickle_worker_streams'), 2);
    assert.equal(sample(text, 'trickle_worker_capacity'), 2);
    assert.equal(sample(text, 'trickle_worker_state{state="OK"}'), 1);
    assert.equal(sample(text, 'trickle_worker_registration_state{state="none"}'), 1);
    assert.ok(sample(text, 'trickle_worker_load_seconds')! >= 0);
    assert.doesNotMatch(text, /trickle_gpu_/, 'no GPU series where nvidia-smi does not answer');

    await eventsB.next('status', 30_000, (e) => e.state === 'DEGRADED_INFERENCE');
    const stop = await api(serve.url, '/stream/stop', { method: 'POST', raw: '', headers: { ...auth, 'x-stream-id': 'slow' } });
    assert.equal(stop.status, 200, stop.text);
    await eventsB.ended;
    const statesB = eventsB.events.filter((e) => e.event.type === 'status').map((e) => String(e.event.state));
    assert.ok(statesB.includes('DEGRADED_INFERENCE'), statesB.join(','));
    assert.equal(statesB.at(-1), 'OFFLINE');
    const after = await (await fetch(`${serve.url}/metrics`, { headers: auth })).text();
    assert.equal(sample(after, 'trickle_worker_streams'), 1);
    assert.doesNotMatch(after, /stream_id="slow"/);
    assert.equal(await promtool(after), '');
  } finally {
    await eventsB.close();
    await served.close();
  }
});

test('every stream in ERROR (input flows, the processor returns nothing): the worker reports ERROR, /health 503, until the stream stops', async () => {
  const served = await serveWithInput(['--processor', HANGS, '--hang-limit', '60'], { env: { HANG_AT: '20' } });
  const { serve, ch } = served;
  try {
    const r = await api(serve.url, '/stream/start', { body: { gateway_request_id: 'stuck', subscribe_url: ch('in'), publish_url: ch('stuck-out') } });
    assert.equal(r.status, 200, r.text);
    const health = await until('/health ERROR', async () => {
      const h = await api(serve.url, '/health');
      return h.json?.status === 'ERROR' ? h : undefined;
    }, 60_000, 250);
    assert.equal(health.status, 503);
    const st = await api(serve.url, '/stream/status');
    assert.equal(st.json.stats.state, 'ERROR');
    assert.deepEqual(st.json.stream_states, { ERROR: 1 });
    assert.match(String(st.json.error_message), /every stream is in ERROR/);
    await api(serve.url, '/stream/stop', { method: 'POST', raw: '' });
    const idle = await api(serve.url, '/health');
    assert.deepEqual([idle.status, idle.json], [200, { status: 'IDLE' }]);
  } finally {
    await served.close();
  }
});
