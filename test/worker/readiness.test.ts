// Readiness (LOADING → IDLE, failed load() → ERROR) and the bearer token, against `trickle serve`.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { api, spawnServe, waitForHealth, type ServeChild } from './serve-child.js';

const SLOW = fileURLToPath(new URL('./fixtures/slow-load.js', import.meta.url));
const TOKEN = 'tok-9d2f6e1a';
const START = { gateway_request_id: 'r1', subscribe_url: 'http://127.0.0.1:9/in', publish_url: 'http://127.0.0.1:9/out' };

describe('trickle serve: readiness and token', () => {
  const children: ServeChild[] = [];
  after(async () => {
    await Promise.all(children.map((c) => c.stop()));
  });

  it('LOADING while load() runs (start → 503 initializing), then IDLE; every route but /health needs the token', async () => {
    const serve = await spawnServe(['--processor', SLOW], { SLOW_LOAD_MS: '3000', TRICKLE_API_TOKEN: TOKEN });
    children.push(serve);
    const auth = { authorization: `Bearer ${TOKEN}` };
    assert.deepEqual((await api(serve.url, '/health')).json, { status: 'LOADING' });
    const early = await api(serve.url, '/stream/start', { body: START, headers: auth });
    assert.equal(early.status, 503);
    assert.equal(early.json.status, 'error');
    assert.equal(early.json.message, 'Pipeline is still initializing. Please wait for IDLE status.');
    assert.equal(early.json.current_state.status, 'LOADING');
    assert.equal(early.json.current_state.startup_complete, false);

    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong-token' }, { authorization: TOKEN }]) {
      for (const [path, init] of [
        ['/version', {}],
        ['/stream/status', {}],
        ['/stream/stop', { method: 'POST', raw: '' }],
        ['/hardware/info', {}],
      ] as const) {
        const r = await api(serve.url, path, { ...init, headers });
        assert.equal(r.status, 401, `${path} ${JSON.stringify(headers)}`);
        assert.deepEqual(r.json, { status: 'error', message: 'Unauthorized: missing or invalid bearer token' });
      }
    }
    const ok = await api(serve.url, '/version', { headers: auth });
    assert.equal(ok.status, 200);

    await waitForHealth(serve.url, 'IDLE');
    const st = await api(serve.url, '/stream/status', { headers: auth });
    assert.equal(st.json.status, 'IDLE');
    assert.equal(st.json.pipeline_ready, true);
    assert.ok(!serve.stderr().includes(TOKEN), 'the token is never printed');
  });

  it('a failed load() stays ERROR: /health says so and start answers 503', async () => {
    const serve = await spawnServe(['--processor', SLOW], { SLOW_LOAD_MS: '10', FAIL_LOAD: '1' });
    children.push(serve);
    await waitForHealth(serve.url, 'ERROR');
    const r = await api(serve.url, '/stream/start', { body: START });
    assert.equal(r.status, 503);
    assert.equal(r.json.message, 'Pipeline is still initializing. Please wait for IDLE status.');
    assert.equal(r.json.current_state.status, 'ERROR');
    assert.match(r.json.current_state.error_message, /weights missing/);
    assert.deepEqual((await api(serve.url, '/health')).json, { status: 'ERROR' });
  });

  it('SIGTERM exits 143; a missing processor is a usage error (exit 2)', async () => {
    const serve = await spawnServe(['--processor', 'passthrough']);
    await waitForHealth(serve.url, 'IDLE');
    assert.equal(await serve.stop('SIGTERM'), 143);
    await assert.rejects(spawnServe([]), /exited \(2\)[\s\S]*--processor/);
    await assert.rejects(spawnServe(['--processor', 'no-such-processor']), /exited \(2\)/);
  });
});
