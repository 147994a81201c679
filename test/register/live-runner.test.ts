// Live-runner registration against a real HTTP orchestrator: bootstrap, heartbeats, re-bootstrap, readiness, unregister.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { LiveRunnerRegistration } from '../../src/register/live-runner.js';
import { parseGoDuration } from '../../src/register/duration.js';
import { TrickleError } from '../../src/errors.js';
import { spawnCli } from '../helpers/cli.js';
import { startOrchestrator, type FakeOrchestrator } from '../helpers/orchestrator.js';
import { startRelay } from '../helpers/relay.js';
import { api, spawnServe, waitForHealth } from '../worker/serve-child.js';

const SECRET = 'live-secret-5b1e22';
const SLOW = fileURLToPath(new URL('../worker/fixtures/slow-load.js', import.meta.url));

describe('trickle register --mode live-runner', () => {
  let orch: FakeOrchestrator;
  before(async () => {
    orch = await startOrchestrator({ secret: SECRET, heartbeatInterval: '200ms' });
  });
  after(() => orch.close());

  it('bootstraps with the orchestrator secret, heartbeats with the returned secret, re-bootstraps after 404, unregisters on SIGTERM', async () => {
    const child = spawnCli(['register', '--mode', 'live-runner', '--name', 'lv2v/red', '--url', 'http://w:8080', '--capacity', '3', '--price-per-unit', '2.5'], {
      env: { NO_COLOR: '1', ORCH_URL: orch.url, ORCH_SECRET: SECRET },
    });
    try {
      const first = await orch.waitFor('/runners/heartbeat', 4);
      const [boot, ...beats] = first;
      assert.equal(boot!.headers.authorization, SECRET);
      const body = JSON.parse(boot!.body) as Record<string, unknown>;
      assert.equal(body.runner_url, 'http://w:8080');
      assert.equal(body.app, 'lv2v/red');
      assert.equal(body.capacity, 3);
      assert.equal(body.status, 'ready');
      assert.equal(body.mode, 'persistent');
      assert.deepEqual(body.price_info, { price: 2.5, currency: 'usd', unit: 'hour' });
      assert.deepEqual(body.session_ids, []);
      assert.equal(body.runner_id, undefined, 'the orchestrator assigns the id at bootstrap');
      const runner = [...orch.runners.values()][0]!;
      for (const b of beats) {
        assert.equal(b.headers.authorization, runner.heartbeatSecret);
        assert.equal(b.status, 200);
        assert.equal((JSON.parse(b.body) as { runner_id: string }).runner_id, runner.id);
      }
      // Cadence: the returned 200ms interval, not the 5 s default (lower bound only; no upper timing asserts).
      for (let i = 1; i < first.length; i++) assert.ok(first[i]!.at - first[i - 1]!.at >= 150, 'heartbeats follow heartbeat_interval');

      orch.forgetRunners();
      const n = orch.to('/runners/heartbeat').length;
      const after404 = await orch.waitFor('/runners/heartbeat', n + 3);
      assert.ok(after404.slice(n - 1).some((r) => r.status === 404), 'a heartbeat got 404 after the orchestrator expired the runner');
      const reboot = after404.slice(n).find((r) => r.headers.authorization === SECRET && r.status === 200);
      assert.ok(reboot, 'bootstrapped again with the orchestrator secret');
      assert.equal((JSON.parse(reboot!.body) as { runner_id: string }).runner_id, runner.id, 'keeps its runner id');
      const again = orch.runners.get(runner.id)!;

      child.kill('SIGTERM');
      const r = await child;
      assert.equal(r.exitCode, 143, String(r.stderr));
      const un = orch.to('/runners/unregister').at(-1)!;
      assert.equal(un.status, 200);
      assert.equal(un.headers.authorization, again.heartbeatSecret);
      assert.deepEqual(JSON.parse(un.body), { runner_id: runner.id });
      const stderr = String(r.stderr);
      assert.ok(!stderr.includes(SECRET), 'orchestrator secret never printed');
      assert.ok(!stderr.includes(runner.heartbeatSecret) && !stderr.includes(again.heartbeatSecret), 'heartbeat secret never printed');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('serve --register live-runner reports loading until load() finished, then ready, with its capacity', async () => {
    const child = spawnCli(['serve', '--host', '127.0.0.1', '--port', '0', '--processor', SLOW, '--capacity', '2', '--register', 'live-runner', '--name', 'slow', '--price-per-unit', '1'], {
      env: { NO_COLOR: '1', ORCH_URL: orch.url, ORCH_SECRET: SECRET, SLOW_LOAD_MS: '1500' },
    });
    try {
      const start = orch.to('/runners/heartbeat').length;
      const seen = await waitForStatus(orch, start, 'ready');
      const statuses = seen.map((r) => (JSON.parse(r.body) as { status: string }).status);
      assert.equal(statuses[0], 'loading', 'first heartbeat says loading');
      assert.ok(statuses.includes('ready'));
      assert.equal((JSON.parse(seen[0]!.body) as { capacity: number }).capacity, 2);
      child.kill('SIGTERM');
      const r = await child;
      assert.equal(r.exitCode, 143, String(r.stderr));
      assert.ok(orch.to('/runners/unregister').some((u) => u.status === 200 && u.at >= seen[0]!.at));
      assert.ok(!String(r.stderr).includes(SECRET));
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('serve reports running session ids and stops a stream whose session the orchestrator dropped', async () => {
    const relay = await startRelay();
    const ch = (name: string) => new URL(name, relay.url).href;
    await fetch(ch('sess-in'), { method: 'POST', headers: { 'Expect-Content': 'video/mp2t' } });
    orch.sessionIds = ['sess-x'];
    const serve = await spawnServe(['--processor', 'passthrough', '--register', 'live-runner', '--name', 'sess', '--price-per-unit', '1'], {
      ORCH_URL: orch.url,
      ORCH_SECRET: SECRET,
    });
    try {
      await waitForHealth(serve.url, 'IDLE');
      const started = await api(serve.url, '/stream/start', {
        headers: { 'Livepeer-Session-Id': 'sess-x', 'X-Stream-Id': 'stream-x' },
        body: { gateway_request_id: 'stream-x', subscribe_url: ch('sess-in'), publish_url: ch('sess-out') },
      });
      assert.equal(started.status, 200, started.text);
      const from = orch.to('/runners/heartbeat').length;
      const beats = await orch.waitFor('/runners/heartbeat', from + 3);
      assert.deepEqual((JSON.parse(beats.at(-1)!.body) as { session_ids: string[] }).session_ids, ['sess-x']);
      assert.deepEqual((await api(serve.url, '/health')).json, { status: 'OK' }, 'a session the orchestrator lists keeps running');
      orch.sessionIds = [];
      await waitForHealth(serve.url, 'IDLE', 20_000);
      assert.match(serve.stderr(), /orchestrator dropped this session/);
    } finally {
      orch.sessionIds = [];
      await serve.stop();
      await relay.close();
    }
  });

  it('a rejected orchestrator secret exits 4', async () => {
    const r = await spawnCli(['register', '--mode', 'live-runner', '--once', '--orch-url', orch.url, '--orch-secret', 'bad-secret-xyz'], { env: { NO_COLOR: '1' } });
    assert.equal(r.exitCode, 4, String(r.stderr));
    assert.match(String(r.stderr), /rejected/);
    assert.ok(!String(r.stderr).includes('bad-secret-xyz'));
  });
});

async function waitForStatus(orch: FakeOrchestrator, from: number, status: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = orch.to('/runners/heartbeat').slice(from);
    if (seen.some((r) => (JSON.parse(r.body) as { status: string }).status === status)) return seen;
    if (Date.now() > deadline) throw new Error(`no heartbeat with status ${status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('LiveRunnerRegistration (library)', () => {
  it('reports session ids and hands the orchestrator list back', async () => {
    const orch = await startOrchestrator({ secret: SECRET });
    orch.sessionIds = ['sess-1'];
    try {
      const got: string[][] = [];
      const reg = new LiveRunnerRegistration({
        orchUrl: orch.url,
        orchSecret: SECRET,
        name: 'app',
        description: 'd',
        url: 'http://w',
        capacity: 1,
        pricePerUnit: 1,
        priceScaling: 1,
        sessionIds: () => ['sess-1', 'sess-2'],
        onSessions: (ids) => got.push(ids),
      });
      await reg.bootstrap();
      await reg.heartbeat();
      assert.equal(reg.intervalMs, 200);
      assert.deepEqual(got, [['sess-1'], ['sess-1']]);
      const last = orch.to('/runners/heartbeat').at(-1)!;
      assert.deepEqual((JSON.parse(last.body) as { session_ids: string[] }).session_ids, ['sess-1', 'sess-2']);
      await reg.close();
      assert.equal(orch.to('/runners/unregister').at(-1)!.status, 200);
    } finally {
      await orch.close();
    }
  });

  it('bootstrap rejected with 401 is TRICKLE_REGISTRATION_REJECTED', async () => {
    const orch = await startOrchestrator({ secret: SECRET });
    try {
      const reg = new LiveRunnerRegistration({ orchUrl: orch.url, orchSecret: 'nope-nope', name: 'a', description: '', url: 'http://w', capacity: 1, pricePerUnit: 1, priceScaling: 1 });
      await assert.rejects(reg.bootstrap(), (err: unknown) => err instanceof TrickleError && err.code === 'TRICKLE_REGISTRATION_REJECTED');
      assert.equal(orch.to('/runners/heartbeat').length, 1);
    } finally {
      await orch.close();
    }
  });

  it('parses Go durations', () => {
    assert.equal(parseGoDuration('5s'), 5000);
    assert.equal(parseGoDuration('200ms'), 200);
    assert.equal(parseGoDuration('1m30s'), 90_000);
    assert.equal(parseGoDuration('1.5s'), 1500);
    assert.equal(parseGoDuration('soon'), undefined);
  });
});
