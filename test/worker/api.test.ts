// The worker API over real HTTP against `trickle serve`: every route, good and bad requests, exact statuses and bodies.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Relay } from '../../src/relay/index.js';
import { startRelay } from '../helpers/relay.js';
import { api, spawnServe, waitForHealth, type ServeChild } from './serve-child.js';
import { whichSync } from '../../src/media/ffmpeg.js';

const IDLE_STATE = {
  status: 'IDLE',
  state: 'IDLE',
  error_message: null,
  pipeline_ready: true,
  active_streams: 0,
  startup_complete: true,
  pipeline_state: 'IDLE',
  additional_info: {},
};

/** A channel URL on the test relay (its url ends with the base path). */
let relayBase = '';
const ch = (name: string): string => new URL(name, relayBase).href;

describe('trickle serve: routes', () => {
  let serve: ServeChild;
  let relay: Relay;
  let url: string;
  before(async () => {
    relay = await startRelay();
    relayBase = relay.url;
    serve = await spawnServe(['--processor', 'red-tint']);
    url = serve.url;
    await waitForHealth(url, 'IDLE');
  });
  after(async () => {
    await serve?.stop();
    await relay?.close();
  });

  it('GET /health is exactly {"status":"IDLE"}; HEAD answers without a body', async () => {
    const r = await api(url, '/health');
    assert.equal(r.status, 200);
    assert.match(String(r.headers.get('content-type')), /^application\/json/);
    assert.deepEqual(r.json, { status: 'IDLE' });
    const h = await fetch(url + '/health', { method: 'HEAD' });
    assert.equal(h.status, 200);
    assert.equal(await h.text(), '');
  });

  it('GET /version, /app-version, /hardware/info, /hardware/stats', async () => {
    const v = await api(url, '/version');
    assert.equal(v.status, 200);
    assert.deepEqual(Object.keys(v.json).sort(), ['model_id', 'pipeline', 'version']);
    assert.equal(v.json.pipeline, 'byoc');
    assert.match(v.json.version, /^\d+\.\d+\.\d+/);
    assert.deepEqual((await api(url, '/app-version')).json, { version: '0.0.1' });
    const info = await api(url, '/hardware/info');
    const stats = await api(url, '/hardware/stats');
    assert.equal(info.status, 200);
    assert.equal(stats.status, 200);
    assert.deepEqual(Object.keys(info.json).sort(), ['gpu_info', 'model_id', 'pipeline']);
    assert.deepEqual(Object.keys(stats.json).sort(), ['gpu_stats', 'model_id', 'pipeline']);
    if (!whichSync('nvidia-smi')) {
      assert.deepEqual(info.json.gpu_info, {});
      assert.deepEqual(stats.json.gpu_stats, {});
    } else {
      const gpu = Object.values(info.json.gpu_info)[0] as Record<string, unknown>;
      assert.ok(gpu && typeof gpu.name === 'string' && (gpu.memory_total as number) > 0);
      const st = Object.values(stats.json.gpu_stats)[0] as Record<string, unknown>;
      assert.equal(typeof st.utilization_compute, 'number');
    }
  });

  it('GET /stream/status with no stream', async () => {
    for (const p of ['/stream/status', '/api/stream/status']) {
      const r = await api(url, p);
      assert.equal(r.status, 200);
      assert.deepEqual(r.json, { ...IDLE_STATE, capacity: 1, last_stream_error: null, stream_states: {}, client_active: false });
    }
  });

  it('stop and params with no stream → 400 with PyTrickle messages', async () => {
    for (const prefix of ['/stream', '/api/stream']) {
      const stop = await api(url, `${prefix}/stop`, { method: 'POST', raw: 'insufficient balance' });
      assert.equal(stop.status, 400);
      assert.deepEqual(stop.json, { status: 'error', message: 'No active stream to stop' });
      const params = await api(url, `${prefix}/params`, { body: { intensity: 0.5 } });
      assert.equal(params.status, 400);
      assert.deepEqual(params.json, { status: 'error', message: 'No active stream to update' });
    }
  });

  const startErr = (message: string) => ({ status: 'error', message: `Error starting stream: ${message}`, current_state: IDLE_STATE });
  const good = (over: Record<string, unknown> = {}) => ({
    gateway_request_id: 'r1',
    subscribe_url: ch(`in`),
    publish_url: ch(`out`),
    ...over,
  });

  it('start: malformed JSON, wrong content type, missing gateway_request_id → 400', async () => {
    const bad = await api(url, '/stream/start', { raw: '{"gateway_request_id": ', headers: { 'content-type': 'application/json' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.status, 'error');
    assert.match(bad.json.message, /^Error starting stream: malformed JSON/);
    assert.deepEqual(bad.json.current_state, IDLE_STATE);

    const ct = await api(url, '/stream/start', { raw: JSON.stringify(good()), headers: { 'content-type': 'text/plain' } });
    assert.equal(ct.status, 400);
    assert.deepEqual(ct.json, startErr('Content-Type must be application/json, got text/plain'));

    const { gateway_request_id: _drop, ...noId } = good();
    const missing = await api(url, '/stream/start', { body: noId });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.json, startErr('gateway_request_id is required'));
    assert.deepEqual((await api(url, '/health')).json, { status: 'IDLE' });
  });

  it('start: width without height, max_framerate 0 and 120, non-http channel URL → 400', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ params: { width: 320 } }, "Both 'width' and 'height' must be provided together"],
      [{ params: { max_framerate: 0 } }, 'max_framerate must be a positive integer'],
      [{ params: { max_framerate: 120 } }, 'max_framerate cannot exceed 60 FPS'],
      [{ params: 'loud' }, 'params must be a JSON object'],
      [{ events_url: 'ftp://x/ev' }, 'events_url must be an http or https URL'],
    ];
    for (const [over, message] of cases) {
      const r = await api(url, '/live-video-to-video', { body: good(over) });
      assert.equal(r.status, 400, message);
      assert.deepEqual(r.json, startErr(message));
    }
  });

  it('a 2 MiB JSON body → 413', async () => {
    const big = JSON.stringify({ ...good(), params: { blob: 'x'.repeat(2 * 1024 * 1024) } });
    const r = await api(url, '/stream/start', { raw: big, headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 413);
    assert.deepEqual(r.json, { status: 'error', message: 'Error starting stream: request body exceeds 1048576 bytes' });
    const p = await api(url, '/stream/params', { raw: big, headers: { 'content-type': 'application/json' } });
    assert.equal(p.status, 413);
    assert.deepEqual(p.json, { status: 'error', message: 'Parameter update failed: request body exceeds 1048576 bytes' });
  });

  it('params validation errors are 400 (not PyTrickle 500)', async () => {
    const r = await api(url, '/stream/params', { body: { max_framerate: 120 } });
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, { status: 'error', message: 'Parameter update failed: max_framerate cannot exceed 60 FPS' });
    const w = await api(url, '/api/stream/params', { body: { height: 240 } });
    assert.deepEqual(w.json, { status: 'error', message: "Parameter update failed: Both 'width' and 'height' must be provided together" });
    const m = await api(url, '/stream/params', { raw: 'nope', headers: { 'content-type': 'application/json' } });
    assert.equal(m.status, 400);
    assert.match(m.json.message, /^Parameter update failed: malformed JSON/);
  });

  it('unknown path → 404, wrong method → 405', async () => {
    const nf = await api(url, '/stream/bogus');
    assert.equal(nf.status, 404);
    assert.equal(nf.json.status, 'error');
    const wm = await api(url, '/stream/start');
    assert.equal(wm.status, 405);
    assert.deepEqual(wm.json, { status: 'error', message: 'Method GET not allowed' });
  });

  it('one stream: start → status/OK → 503 beyond capacity → unknown id 404 → params → stop → IDLE', async () => {
    // The input channel exists (as the orchestrator creates it) but no media flows: the stream waits.
    await fetch(ch(`cap-in`), { method: 'POST', headers: { 'Expect-Content': 'video/mp2t' } });
    const body = good({ gateway_request_id: 'req-1', subscribe_url: ch(`cap-in`), publish_url: ch(`cap-out`), params: { intensity: 0.5 } });
    const started = await api(url, '/stream/start', { body });
    assert.equal(started.status, 200, started.text);
    assert.deepEqual(started.json, {
      status: 'success',
      message: 'Stream started successfully',
      request_id: 'req-1',
      stream_id: 'req-1',
      current_state: { ...IDLE_STATE, status: 'OK', state: 'OK', active_streams: 1 },
    });
    assert.deepEqual((await api(url, '/health')).json, { status: 'OK' });

    const busy = await api(url, '/stream/start', { body: good({ gateway_request_id: 'req-2' }) });
    assert.equal(busy.status, 503);
    assert.equal(busy.json.message, 'Pipeline is still in use');
    assert.equal(busy.json.current_state.active_streams, 1);

    const hdr = { 'x-stream-id': 'nope' };
    for (const [path, init] of [
      ['/stream/status', { headers: hdr }],
      ['/stream/params', { body: { intensity: 0 }, headers: hdr }],
      ['/stream/stop', { method: 'POST', raw: '', headers: hdr }],
    ] as const) {
      const r = await api(url, path, init);
      assert.equal(r.status, 404, path);
      assert.deepEqual(r.json, { status: 'error', message: 'Stream nope not found' });
    }

    const st = await api(url, '/stream/status');
    assert.equal(st.status, 200);
    assert.equal(st.json.client_active, true);
    assert.equal(st.json.stream_id, 'req-1');
    assert.equal(st.json.current_params.subscribe_url, ch(`cap-in`));
    assert.equal(st.json.current_params.gateway_request_id, 'req-1');
    assert.equal(st.json.current_params.params.intensity, 0.5);
    assert.deepEqual(Object.keys(st.json.fps).sort(), ['egress_audio_fps', 'egress_video_fps', 'ingress_audio_fps', 'ingress_video_fps']);

    const upd = await api(url, '/stream/params', { body: { intensity: 0.1 }, headers: { 'x-stream-id': 'req-1' } });
    assert.equal(upd.status, 200, upd.text);
    assert.deepEqual(upd.json, { status: 'success', message: 'Parameters updated successfully' });
    const st2 = await api(url, '/stream/status', { headers: { 'x-stream-id': 'req-1' } });
    assert.equal(st2.json.current_params.params.intensity, 0.1);

    const stop = await api(url, '/stream/stop', { method: 'POST', raw: 'bye', headers: { 'x-stream-id': 'req-1' } });
    assert.equal(stop.status, 200);
    assert.deepEqual(stop.json, { status: 'success', message: 'Stream stopped successfully' });
    assert.deepEqual((await api(url, '/health')).json, { status: 'IDLE' });
    assert.equal((await api(url, '/stream/status')).json.client_active, false);
  });
});
