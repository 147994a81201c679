// BYOC registration against a real HTTP orchestrator: exact requests, retries, the 400 path, unregister, secrets.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { registerByoc } from '../../src/register/byoc.js';
import { TrickleError } from '../../src/errors.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { startOrchestrator, type FakeOrchestrator } from '../helpers/orchestrator.js';
import { api, spawnServe } from '../worker/serve-child.js';
import { startRelay } from '../helpers/relay.js';

const SECRET = 'orch-secret-7f3a9c';
const SLOW = fileURLToPath(new URL('../worker/fixtures/slow-load.js', import.meta.url));

const base = (orch: FakeOrchestrator) => ({
  orchUrl: orch.url,
  orchSecret: SECRET,
  name: 'my-filter',
  description: 'a test filter',
  url: 'http://worker.example:8080',
  capacity: 2,
  pricePerUnit: 5,
  priceScaling: 1,
});

describe('trickle register (byoc)', () => {
  let orch: FakeOrchestrator;
  before(async () => {
    orch = await startOrchestrator({ secret: SECRET });
  });
  after(() => orch.close());

  it('--once sends one POST /capability/register with the raw secret and PyTrickle body, exits 0', async () => {
    const r = await runCli(['register', '--once', '--name', 'my-filter', '--description', 'a test filter', '--url', 'http://worker.example:8080', '--capacity', '2', '--price-per-unit', '5'], {
      env: { NO_COLOR: '1', ORCH_URL: orch.url, ORCH_SECRET: SECRET },
    });
    assert.equal(r.exitCode, 0, r.stderr);
    const reqs = orch.to('/capability/register');
    assert.equal(reqs.length, 1);
    const req = reqs[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.headers.authorization, SECRET);
    assert.match(String(req.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(req.body), {
      url: 'http://worker.example:8080',
      name: 'my-filter',
      description: 'a test filter',
      capacity: 2,
      price_per_unit: 5,
      price_scaling: 1,
      currency: 'wei',
    });
    assert.equal(orch.capabilities.get('my-filter')?.price_per_unit, 5, 'the orchestrator decoded it into ExternalCapability');
    assert.ok(!r.stderr.includes(SECRET), 'secret must not be printed');
    assert.deepEqual(orch.capabilities.get('my-filter')?.url, 'http://worker.example:8080');
  });

  it('a wrong secret stops at once with exit 4 and "rejected the secret", never printing it', async () => {
    const before = orch.to('/capability/register').length;
    const wrong = 'wrong-secret-123456';
    const r = await runCli(['register', '--once', '--orch-url', orch.url, '--orch-secret', wrong, '--log-format', 'json'], { env: { NO_COLOR: '1' } });
    assert.equal(r.exitCode, 4, r.stderr);
    assert.match(r.stderr, /rejected the secret/);
    assert.ok(!r.stderr.includes(wrong));
    assert.equal(orch.to('/capability/register').length - before, 1, 'no retry after a 400');
  });

  it('missing URL or secret is a usage error naming the setting (exit 2)', async () => {
    const noUrl = await runCli(['register', '--once'], { env: { NO_COLOR: '1', ORCH_SECRET: SECRET } });
    assert.equal(noUrl.exitCode, 2);
    assert.match(noUrl.stderr, /ORCH_URL/);
    const noSecret = await runCli(['register', '--once', '--orch-url', orch.url], { env: { NO_COLOR: '1' } });
    assert.equal(noSecret.exitCode, 2);
    assert.match(noSecret.stderr, /ORCH_SECRET/);
  });

  it('keeps the registration until SIGTERM, then unregisters with the raw name (exit 143)', async () => {
    const child = spawnCli(['register', '--name', 'keeper', '--url', 'http://w:1'], { env: { NO_COLOR: '1', ORCH_URL: orch.url, ORCH_SECRET: SECRET } });
    const n = orch.to('/capability/register').length;
    await orch.waitFor('/capability/register', n + 1);
    assert.ok(orch.capabilities.has('keeper'));
    // Still registered after idle connections have closed (nothing periodic runs in byoc mode).
    await new Promise((r) => setTimeout(r, 5500));
    assert.equal(child.exitCode, null, 'still running');
    child.kill('SIGTERM');
    const r = await child;
    assert.equal(r.exitCode, 143, String(r.stderr));
    const un = orch.to('/capability/unregister').at(-1)!;
    assert.equal(un.headers.authorization, SECRET);
    assert.equal(un.body, 'keeper');
    assert.ok(!orch.capabilities.has('keeper'));
    assert.ok(!String(r.stderr).includes(SECRET));
  });
});

describe('trickle serve --register byoc', () => {
  it('registers only after load() finished, with its capacity, and unregisters on SIGTERM', async () => {
    const orch = await startOrchestrator({ secret: SECRET });
    const serve = await spawnServe(['--processor', SLOW, '--capacity', '2', '--register', 'byoc', '--name', 'slow-cap', '--url', 'http://worker:9000'], {
      ORCH_URL: orch.url,
      ORCH_SECRET: SECRET,
      SLOW_LOAD_MS: '2500',
    });
    try {
      const loading = await api(serve.url, '/health');
      assert.deepEqual([loading.status, loading.json], [503, { status: 'LOADING' }]);
      assert.equal(orch.to('/capability/register').length, 0, 'not registered while loading');
      const [reg] = await orch.waitFor('/capability/register', 1);
      assert.notEqual((await api(serve.url, '/health')).json.status, 'LOADING');
      assert.equal(reg!.headers.authorization, SECRET);
      assert.deepEqual(JSON.parse(reg!.body), { url: 'http://worker:9000', name: 'slow-cap', description: 'trickle video processing worker', capacity: 2, price_per_unit: 0, price_scaling: 1, currency: 'wei' });
      assert.equal(await serve.stop('SIGTERM'), 143);
      const un = orch.to('/capability/unregister');
      assert.equal(un.length, 1);
      assert.equal(un[0]!.body, 'slow-cap');
      assert.ok(!serve.stderr().includes(SECRET));
    } finally {
      await serve.stop();
      await orch.close();
    }
  });
});

describe('BYOC with an API token', () => {
  it('registers the token; calls from the orchestrator with it as a bearer get 200, a wrong token 401 (the capability is dropped)', async () => {
    const orch = await startOrchestrator({ secret: SECRET });
    const relay = await startRelay();
    const TOKEN = 'worker-api-token-51d0';
    const serve = await spawnServe(['--processor', 'passthrough', '--api-token', TOKEN, '--register', 'byoc', '--name', 'guarded', '--price-currency', 'eth'], { ORCH_URL: orch.url, ORCH_SECRET: SECRET });
    try {
      const [reg] = await orch.waitFor('/capability/register', 1);
      assert.equal(reg!.status, 200, reg!.reply);
      const cap = orch.capabilities.get('guarded')!;
      assert.equal(cap.token, TOKEN, 'ExternalCapability.token is the API token');
      assert.equal(cap.currency, 'eth');
      assert.equal(cap.url, serve.url.replace('127.0.0.1', 'localhost'));
      await fetch(relay.channelUrl('byoc-in'), { method: 'POST', headers: { 'Expect-Content': 'video/mp2t' } });
      const body = { gateway_request_id: 'byoc-1', subscribe_url: relay.channelUrl('byoc-in'), publish_url: relay.channelUrl('byoc-out'), control_url: relay.channelUrl('byoc-c'), events_url: relay.channelUrl('byoc-e') };
      const started = await orch.callWorker('guarded', 'start', 'byoc-1', body);
      assert.equal(started.status, 200, started.text);
      const updated = await orch.callWorker('guarded', 'params', 'byoc-1', { intensity: 0.5 });
      assert.equal(updated.status, 200, updated.text);
      const stopped = await orch.callWorker('guarded', 'stop', 'byoc-1', {});
      assert.equal(stopped.status, 200, stopped.text);
      // Another registration of the same worker with the wrong token: the worker refuses the orchestrator.
      const impostor = await fetch(orch.url + '/capability/register', { method: 'POST', headers: { Authorization: SECRET }, body: JSON.stringify({ ...cap, name: 'impostor', token: 'not-the-token' }) });
      assert.equal(await impostor.text(), 'ok');
      const refused = await orch.callWorker('impostor', 'start', 'byoc-2', { ...body, gateway_request_id: 'byoc-2' });
      assert.equal(refused.status, 401, refused.text);
      assert.deepEqual(orch.dropped, ['impostor']);
      assert.ok(!serve.stderr().includes(TOKEN) && !serve.stderr().includes(SECRET));
    } finally {
      await serve.stop();
      await relay.close();
      await orch.close();
    }
  });
});

describe('registerByoc (library)', () => {
  it('retries failures up to 3 attempts, 2 s apart, then succeeds', async () => {
    const orch = await startOrchestrator({ secret: SECRET, failFirst: 2 });
    try {
      const waits: number[] = [];
      await registerByoc({ ...base(orch), sleep: async (ms) => void waits.push(ms) });
      assert.deepEqual(waits, [2000, 2000]);
      assert.deepEqual(orch.to('/capability/register').map((r) => r.status), [503, 503, 200]);
    } finally {
      await orch.close();
    }
  });

  it('gives up after 3 failed attempts with TRICKLE_REGISTRATION_FAILED', async () => {
    const orch = await startOrchestrator({ secret: SECRET, failFirst: 10 });
    try {
      await assert.rejects(
        registerByoc({ ...base(orch), sleep: async () => {} }),
        (err: unknown) => err instanceof TrickleError && err.code === 'TRICKLE_REGISTRATION_FAILED' && /after 3 attempts/.test(err.message),
      );
      assert.equal(orch.to('/capability/register').length, 3);
    } finally {
      await orch.close();
    }
  });

  it('an attempt that outlives its timeout counts as a failure and is retried', async () => {
    const orch = await startOrchestrator({ secret: SECRET, delayMs: 600 });
    try {
      await assert.rejects(
        registerByoc({ ...base(orch), attemptTimeoutMs: 150, sleep: async () => {} }),
        (err: unknown) => err instanceof TrickleError && err.code === 'TRICKLE_REGISTRATION_FAILED' && /did not answer within 150 ms/.test(err.message),
      );
    } finally {
      await orch.close();
    }
  });

  it('400 → TRICKLE_REGISTRATION_REJECTED', async () => {
    const orch = await startOrchestrator({ secret: SECRET });
    try {
      await assert.rejects(registerByoc({ ...base(orch), orchSecret: 'nope-nope' }), (err: unknown) => err instanceof TrickleError && err.code === 'TRICKLE_REGISTRATION_REJECTED');
    } finally {
      await orch.close();
    }
  });
});
