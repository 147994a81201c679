// Live-runner registration through the built CLI against a go-livepeer-typed orchestrator: what it accepts, refuses and when.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { LiveRunner } from '../../src/register/live-runner/runner.js';
import { parseGoDuration } from '../../src/register/live-runner/duration.js';
import { createCliLogger } from '../../src/cli/output/logger.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { startOrchestrator, type FakeOrchestrator } from '../helpers/orchestrator.js';
import { api, spawnServe, waitForHealth } from '../worker/serve-child.js';
import { until } from '../helpers/until.js';
import { startRelay } from '../helpers/relay.js';

const SECRET = 'live-secret-5b1e22';
const SLOW = fileURLToPath(new URL('../worker/fixtures/slow-load.js', import.meta.url));
const env = (orch: FakeOrchestrator, extra: Record<string, string> = {}) => ({ NO_COLOR: '1', ORCH_URL: orch.url, ORCH_SECRET: SECRET, ...extra });


describe('trickle register --mode live-runner', () => {
  let orch: FakeOrchestrator;
  before(async () => {
    orch = await startOrchestrator({ secret: SECRET, heartbeatInterval: '200ms' });
  });
  after(() => orch.close());

  it('bootstraps, heartbeats at the replied interval, registers again after a 404 under the same id, unregisters (204) within 5 s of SIGTERM', async () => {
    const child = spawnCli(['register', '--mode', 'live-runner', '--name', 'lv2v-red', '--url', 'http://w:8080', '--capacity', '3', '--price-per-unit', '0.05', '--price-unit', 'fixed'], { env: env(orch) });
    try {
      const first = await orch.waitFor('/runners/heartbeat', 5);
      const [boot, ...beats] = first;
      assert.equal(boot!.headers.authorization, SECRET, 'bootstrap with the raw orchestrator secret');
      assert.equal(boot!.status, 200, boot!.reply);
      const sent = JSON.parse(boot!.body) as Record<string, unknown>;
      assert.equal(sent.runner_id, undefined, 'the orchestrator assigns the id');
      assert.equal(typeof sent.metadata, 'string', 'metadata is text');
      assert.deepEqual(JSON.parse(sent.metadata as string), { description: 'trickle video processing worker', version: JSON.parse(sent.metadata as string).version });
      assert.match(boot!.body, /"price_info":\{"price":0\.05,"currency":"usd","unit":"fixed"\}/, 'the price leaves as the digits given');
      const runner = [...orch.runners.values()][0]!;
      const decoded = runner.heartbeats[0]!;
      assert.deepEqual([decoded.app, decoded.capacity, decoded.status, decoded.mode, decoded.runner_url], ['live-video-to-video/lv2v-red', 3, 'ready', 'persistent', 'http://w:8080']);
      assert.equal(decoded.price_info.price, '0.05');
      for (const b of beats) {
        assert.equal(b.headers.authorization, runner.heartbeatSecret, 'heartbeats carry the returned secret');
        assert.equal(b.status, 200, b.reply);
      }
      const gaps = first.slice(1).map((r, i) => r.at - first[i]!.at);
      assert.ok(gaps.every((g) => g >= 150), `no heartbeat before the interval: ${gaps}`);
      assert.ok(gaps.sort((a, b) => a - b)[Math.floor(gaps.length / 2)]! < 2500, `the 200ms interval replaced the 5 s default: ${gaps}`);

      // TTL lapsed: 404 until the sweep removes the runner, then a bootstrap under the same id.
      orch.expireRunners(1000);
      const n = orch.to('/runners/heartbeat').length;
      const reboot = await until('re-registered', () => orch.to('/runners/heartbeat').slice(n).find((r) => r.headers.authorization === SECRET && r.status === 200), 20_000);
      assert.ok(orch.to('/runners/heartbeat').slice(n).some((r) => r.status === 404 && r.reply === 'runner not found\n'), 'heartbeats got 404');
      assert.equal((JSON.parse(reboot.body) as { runner_id: string }).runner_id, runner.id, 'keeps its runner id');
      // The orchestrator restarted: it does not know the id at all (401 for the heartbeat secret).
      orch.forgetRunners();
      const m = orch.to('/runners/heartbeat').length;
      const reboot2 = await until('re-registered after restart', () => orch.to('/runners/heartbeat').slice(m).find((r) => r.headers.authorization === SECRET && r.status === 200));
      assert.ok(orch.to('/runners/heartbeat').slice(m).some((r) => r.status === 401 && r.reply === 'invalid registration authorization\n'));
      assert.equal((JSON.parse(reboot2.body) as { runner_id: string }).runner_id, runner.id);
      const again = orch.runners.get(runner.id)!;

      const killedAt = Date.now();
      child.kill('SIGTERM');
      const r = await child;
      assert.equal(r.exitCode, 143, String(r.stderr));
      const un = orch.to(`/runners/${runner.id}/unregister`).at(-1)!;
      assert.equal(un.status, 204);
      assert.ok(un.at - killedAt < 5000, `unregistered ${un.at - killedAt} ms after SIGTERM`);
      assert.equal(un.headers.authorization, again.heartbeatSecret);
      assert.equal(orch.runners.has(runner.id), false, 'the orchestrator no longer lists it');
      const stderr = String(r.stderr);
      for (const secret of [SECRET, runner.heartbeatSecret, again.heartbeatSecret, runner.o2r!.url, again.o2r!.channel_name]) assert.ok(!stderr.includes(secret), 'no secret printed');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('an off-chain orchestrator takes a zero price (we warn); an on-chain one refuses it with its own message: exit 4', async () => {
    const off = await runCli(['register', '--mode', 'live-runner', '--once', '--name', 'free'], { env: env(orch) });
    assert.equal(off.exitCode, 0, off.stderr);
    assert.match(off.stderr, /price is 0: an on-chain orchestrator refuses/);
    const onchain = await startOrchestrator({ secret: SECRET, onchain: true });
    try {
      const on = await runCli(['register', '--mode', 'live-runner', '--once', '--name', 'free'], { env: env(onchain) });
      assert.equal(on.exitCode, 4, on.stderr);
      assert.match(on.stderr, /400 price_info\.price must be a positive decimal/);
      assert.equal(onchain.to('/runners/heartbeat').length, 1, 'a refusal is not retried');
      const paid = await runCli(['register', '--mode', 'live-runner', '--once', '--name', 'paid', '--price-per-unit', '1.25', '--price-unit', '720p'], { env: env(onchain) });
      assert.equal(paid.exitCode, 0, paid.stderr);
    } finally {
      await onchain.close();
    }
  });

  it('values go-livepeer would refuse stop at start (exit 2) and never reach it', async () => {
    const before = orch.requests.length;
    const cases: [string[], RegExp][] = [
      [['--price-unit', 'minute'], /price unit must be hour, 720p, fixed/],
      [['--metadata', 'x'.repeat(1025)], /1025 bytes; the orchestrator keeps at most 1024/],
      [['--description', 'é'.repeat(600)], /bytes; the orchestrator keeps at most 1024/],
      [['--price-currency', 'eur', '--price-per-unit', '1'], /price is in usd/],
      [['--price-per-unit', '-1'], /price must be a decimal number/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['register', '--mode', 'live-runner', '--once', ...args], { env: env(orch) });
      assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.equal(orch.requests.length, before, 'nothing was sent');
  });

  it('a rejected orchestrator secret exits 4; credentials in ORCH_URL are refused without being printed', async () => {
    const r = await runCli(['register', '--mode', 'live-runner', '--once', '--orch-url', orch.url, '--orch-secret', 'bad-secret-xyz'], { env: { NO_COLOR: '1' } });
    assert.equal(r.exitCode, 4, r.stderr);
    assert.match(r.stderr, /rejected the secret \(401 invalid registration authorization\)/);
    assert.ok(!r.stderr.includes('bad-secret-xyz'));
    const withUser = orch.url.replace('http://', 'http://admin:pw-in-url-7731@');
    const u = await runCli(['register', '--mode', 'live-runner', '--once'], { env: { NO_COLOR: '1', ORCH_URL: withUser, ORCH_SECRET: SECRET } });
    assert.equal(u.exitCode, 2, u.stderr);
    assert.match(u.stderr, /carries credentials/);
    assert.ok(!u.stderr.includes('pw-in-url-7731'));
  });

  it('an orchestrator reply that echoes the request never puts the secret or token in a log line', async () => {
    const echo = await startOrchestrator({ secret: SECRET, echoFirst: 2 });
    try {
      const r = await runCli(['register', '--mode', 'live-runner', '--once', '--verbose', '--log-format', 'json', '--name', 'echoed'], { env: env(echo) });
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(echo.to('/runners/heartbeat').filter((q) => q.status === 500).length, 2);
      assert.ok(echo.to('/runners/heartbeat')[0]!.reply.includes(SECRET), 'the orchestrator did echo the secret');
      assert.match(r.stderr, /registration attempt failed/);
      assert.ok(!r.stderr.includes(SECRET), r.stderr);
    } finally {
      await echo.close();
    }
    const echoByoc = await startOrchestrator({ secret: SECRET, echoFirst: 2 });
    try {
      const byoc = await runCli(['register', '--once', '--verbose', '--api-token', 'api-token-echoed-9f', '--name', 'echoed'], { env: env(echoByoc, { CAPABILITY_URL: 'http://w:1' }) });
      assert.equal(byoc.exitCode, 0, byoc.stderr);
      assert.ok(echoByoc.to('/capability/register')[0]!.reply.includes('api-token-echoed-9f'), 'the orchestrator did echo the token');
      assert.match(byoc.stderr, /registration attempt failed/);
      assert.ok(!byoc.stderr.includes('api-token-echoed-9f') && !byoc.stderr.includes(SECRET), byoc.stderr);
    } finally {
      await echoByoc.close();
    }
  });
});

describe('trickle serve --register live-runner', () => {
  let orch: FakeOrchestrator;
  before(async () => {
    orch = await startOrchestrator({ secret: SECRET, heartbeatInterval: '200ms' });
  });
  after(() => orch.close());

  it('reports loading until load() finished, then ready with its capacity; /health is 503 meanwhile, then 200', async () => {
    const serve = await spawnServe(['--processor', SLOW, '--capacity', '2', '--register', 'live-runner', '--name', 'slow'], { ...env(orch), SLOW_LOAD_MS: '1500' });
    try {
      const loading = await api(serve.url, '/health');
      assert.deepEqual([loading.status, loading.json], [503, { status: 'LOADING' }]);
      const runner = await until('a runner', () => [...orch.runners.values()][0]);
      assert.equal(runner.heartbeats[0]!.status, 'loading');
      assert.equal(runner.heartbeats[0]!.app, 'live-video-to-video/slow-load', 'app names the processor');
      assert.ok(JSON.parse(runner.heartbeats[0]!.metadata).processor, 'metadata names the processor');
      await until('ready', () => (runner.heartbeats.some((h) => h.status === 'ready') ? true : undefined));
      assert.deepEqual(runner.heartbeats.at(-1)!.capacity, 2);
      const ready = await api(serve.url, '/health');
      assert.deepEqual([ready.status, ready.json], [200, { status: 'IDLE' }]);
      assert.ok(runner.heartbeats.every((h) => (h.session_ids ?? []).length === 0), 'only real session ids are reported');
      const killedAt = Date.now();
      assert.equal(await serve.stop('SIGTERM'), 143);
      const un = orch.to(`/runners/${runner.id}/unregister`).at(-1)!;
      assert.equal(un.status, 204);
      assert.ok(un.at - killedAt < 5000);
      assert.ok(!serve.stderr().includes(SECRET));
    } finally {
      await serve.stop();
    }
  });

  it('a stream outside the orchestrator\'s sessions taking the only slot makes the runner "full" (not routed to), then "ready" again', async () => {
    const relay = await startRelay();
    const serve = await spawnServe(['--processor', 'passthrough', '--register', 'live-runner', '--name', 'busy'], env(orch));
    try {
      await waitForHealth(serve.url, 'IDLE');
      const id = await until('registered', () => [...orch.runners.values()].find((r) => r.req.label === 'busy')?.id);
      await fetch(relay.channelUrl('busy-in'), { method: 'POST', headers: { 'Expect-Content': 'video/mp2t' } });
      const started = await api(serve.url, '/stream/start', { body: { gateway_request_id: 'direct', subscribe_url: relay.channelUrl('busy-in'), publish_url: relay.channelUrl('busy-out') } });
      assert.equal(started.status, 200, started.text);
      await until('full', () => (orch.lastHeartbeat(id)?.status === 'full' ? true : undefined));
      assert.throws(() => orch.reserve(id), /runner not found/, 'a full runner is not routed to');
      await api(serve.url, '/stream/stop', { body: {} });
      await until('ready again', () => (orch.lastHeartbeat(id)?.status === 'ready' ? true : undefined));
      assert.equal(orch.lastHeartbeat(id)!.capacity, 1);
    } finally {
      await serve.stop();
      await relay.close();
    }
  });

  it('an empty --api-token is a start-up error (exit 2), not "no authentication"', async () => {
    const r = await runCli(['serve', '--port', '0', '--processor', 'passthrough', '--api-token', ''], { env: { NO_COLOR: '1' } });
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /API token is empty/);
    const e = await runCli(['serve', '--port', '0', '--processor', 'passthrough'], { env: { NO_COLOR: '1', TRICKLE_API_TOKEN: '' } });
    assert.equal(e.exitCode, 2, e.stderr);
  });
});

describe('static registration (--print-static)', () => {
  it('prints a runners.json the orchestrator accepts; it polls /health and routes only once load() finished', async () => {
    const orch = await startOrchestrator({ secret: SECRET, onchain: true });
    const serve = await spawnServe(['--processor', SLOW], { NO_COLOR: '1', SLOW_LOAD_MS: '8000' });
    try {
      const printed = await runCli(['register', '--mode', 'live-runner', '--print-static', '--url', serve.url, '--name', 'static-1', '--price-per-unit', '0.5', '--capacity', '1'], { env: { NO_COLOR: '1' } });
      assert.equal(printed.exitCode, 0, printed.stderr);
      const entry = (JSON.parse(printed.stdout) as { runners: Record<string, unknown>[] }).runners[0]!;
      assert.deepEqual([entry.label, entry.health_url, entry.healthy_status_code, entry.mode, typeof entry.metadata], ['static-1', '/health', 200, 'persistent', 'string']);
      const [runner] = orch.registerStatic(printed.stdout, 200);
      await until('first poll', () => (runner!.static!.polls > 0 ? true : undefined));
      assert.equal(runner!.req.status, 'unavailable', 'a loading worker is not routed to');
      assert.throws(() => orch.reserve(runner!.id), /runner not found/);
      await waitForHealth(serve.url, 'IDLE');
      await until('healthy', () => (runner!.req.status === 'ready' ? true : undefined), 5000);
      const session = orch.reserve(runner!.id);
      assert.match(session.id, /^session_/);
      assert.throws(() => orch.registerStatic(printed.stdout.replace('"/health"', '""')), /runners\[0\]: health_url is required/);
    } finally {
      await serve.stop();
      await orch.close();
    }
  });
});

describe('O2R (library)', () => {
  it('a silent O2R channel is logged and subscribed again; a released session reaches the callback', async () => {
    const orch = await startOrchestrator({ secret: SECRET, heartbeatInterval: '200ms', o2rKeepaliveMs: 100 });
    const lines: string[] = [];
    const log = createCliLogger({ format: 'json', level: 'debug', color: false, stream: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream });
    const stop = new AbortController();
    const released: string[] = [];
    const runner = new LiveRunner({
      orchUrl: orch.url, orchSecret: SECRET, name: 'o2r', description: '', url: 'http://w:1', capacity: 2, pricePerUnit: 0, priceScaling: 1,
      app: 'live-video-to-video/o2r', metadata: '', price: '0', log, signal: stop.signal, o2rKeepAliveMs: 100,
      onReleased: (id) => released.push(id),
    });
    try {
      await runner.registration.bootstrap();
      const running = runner.registration.run();
      await until('keep-alives read', () => (runner.o2r.messages >= 2 ? true : undefined));
      const s = orch.reserve(runner.registration.runnerId!);
      orch.release(runner.registration.runnerId!, s.id);
      await until('released', () => (released.includes(s.id) ? true : undefined), 5000);
      orch.silenceO2r(true);
      await until('resubscribed', () => (runner.o2r.resubscriptions >= 1 ? true : undefined), 5000);
      assert.ok(lines.some((l) => /O2R channel silent for 0.3 s; subscribing again/.test(l)), lines.join(''));
      orch.silenceO2r(false);
      const n = runner.o2r.messages;
      await until('messages again', () => (runner.o2r.messages > n ? true : undefined), 5000);
      const all = lines.join('');
      for (const secret of [runner.registration.runnerId && orch.runners.get(runner.registration.runnerId)!.o2r!.url, SECRET]) assert.ok(!all.includes(secret!));
      stop.abort();
      await running;
    } finally {
      stop.abort();
      await runner.close();
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
