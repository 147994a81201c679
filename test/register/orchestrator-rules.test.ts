// The test orchestrator refuses every bad form the way go-livepeer does (status and text), so tests against it mean something.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startOrchestrator, type FakeOrchestrator } from '../helpers/orchestrator.js';

const SECRET = 'rules-secret-81c2';

const good = {
  runner_url: 'http://runner.example:8080',
  app: 'live-video-to-video/red-tint',
  capacity: 1,
  metadata: '{"processor":"red-tint"}',
  status: 'ready',
  price_info: { price: 0.05, currency: 'usd', unit: 'hour' },
};

async function post(base: string, path: string, body: string | object, headers: Record<string, string> = {}, method = 'POST') {
  const res = await fetch(base + path, { method, headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

const heartbeat = (o: FakeOrchestrator, body: string | object, auth = SECRET) => post(o.url, '/runners/heartbeat', body, { Authorization: auth });

describe('test orchestrator: live-runner heartbeat decoding (Go types)', () => {
  let orch: FakeOrchestrator;
  before(async () => {
    orch = await startOrchestrator({ secret: SECRET, onchain: true });
  });
  after(() => orch.close());

  const cases: [string, string | object, string][] = [
    ['metadata as an object', { ...good, metadata: { processor: 'x' } }, 'json: cannot unmarshal object into Go struct field LiveRunnerHeartbeatRequest.metadata of type string'],
    ['capacity as a string', { ...good, capacity: '2' }, 'json: cannot unmarshal string into Go struct field LiveRunnerHeartbeatRequest.capacity of type int'],
    ['capacity as a fraction', { ...good, capacity: 1.5 }, 'json: cannot unmarshal number 1.5 into Go struct field LiveRunnerHeartbeatRequest.capacity of type int'],
    ['price that is not a number', { ...good, price_info: { price: 'abc' } }, 'json: invalid number literal, trying to unmarshal "\\"abc\\"" into Number'],
    ['price as a bool', { ...good, price_info: { price: true } }, 'json: cannot unmarshal bool into Go struct field LiveRunnerPriceInfo.price_info.price of type json.Number'],
    ['session_ids holding a number', { ...good, session_ids: [1] }, 'json: cannot unmarshal number into Go struct field LiveRunnerHeartbeatRequest.session_ids of type string'],
    ['gpu as a string', { ...good, gpu: 'x' }, 'json: cannot unmarshal string into Go struct field LiveRunnerHeartbeatRequest.gpu of type runner.gpuAlias'],
    ['gpu.vram_mb as a string', { ...good, gpu: { vram_mb: '8' } }, 'json: cannot unmarshal string into Go struct field LiveRunnerHeartbeatRequest.gpu.vram_mb of type int'],
    ['an array body', '[]', 'json: cannot unmarshal array into Go value of type runner.LiveRunnerHeartbeatRequest'],
    ['an empty body', '', 'EOF'],
    ['a truncated body', '{"app":', 'unexpected EOF'],
    ['not JSON', 'hello', "invalid character 'h' looking for beginning of value"],
    ['no runner_url', { ...good, runner_url: undefined }, 'invalid runner_url'],
    ['an app with spaces around it', { ...good, app: ' lv2v ' }, 'app must be trimmed'],
    ['metadata over 1024 bytes', { ...good, metadata: 'é'.repeat(513) }, 'metadata must be at most 1024 bytes'],
    ['metadata with U+FFFD', { ...good, metadata: 'a\uFFFDb' }, 'metadata must not contain Unicode replacement character U+FFFD'],
    ['an upper-case status', { ...good, status: 'Ready' }, 'status must be lowercase and trimmed'],
    ['an unknown mode', { ...good, mode: 'forever' }, 'mode must be "persistent" or "single-shot"'],
    ['a negative capacity', { ...good, capacity: -1 }, 'capacity must be >= 0'],
    ['no price on-chain', { ...good, price_info: { currency: 'usd' } }, 'price_info.price is required'],
    ['a zero price on-chain', { ...good, price_info: { price: 0 } }, 'price_info.price must be a positive decimal'],
    ['a currency other than usd', { ...good, price_info: { price: 1, currency: 'eur' } }, 'price_info.currency must be usd'],
    ['an unknown unit', { ...good, price_info: { price: 1, unit: 'minute' } }, 'price_info.unit must be hour, 720p, or fixed'],
  ];
  for (const [what, body, message] of cases) {
    it(`refuses ${what} with 400 "${message}"`, async () => {
      const r = await heartbeat(orch, body);
      assert.equal(r.status, 400, r.text);
      assert.equal(r.text, `${message}\n`);
      assert.equal(r.type, 'text/plain; charset=utf-8');
    });
  }

  it('accepts the same body with unknown fields and case-folded keys, and fixed/720p units, quoted prices', async () => {
    for (const extra of [{ extra_field: 1 }, { APP: 'live-video-to-video/x', app: undefined }, { price_info: { price: '0.5', unit: 'fixed' } }, { price_info: { price: 2, unit: '720p' } }]) {
      const r = await heartbeat(orch, { ...good, ...extra });
      assert.equal(r.status, 200, r.text);
    }
  });

  it('the body is checked before the secret; a wrong secret is 401 on bootstrap and on heartbeats', async () => {
    assert.equal((await heartbeat(orch, { ...good, status: 'READY' }, 'wrong')).status, 400);
    const boot = await heartbeat(orch, good, 'wrong-secret');
    assert.deepEqual([boot.status, boot.text], [401, 'invalid registration authorization\n']);
    const ok = await heartbeat(orch, good);
    const { runner_id } = JSON.parse(ok.text) as { runner_id: string };
    const wrong = await heartbeat(orch, { ...good, runner_id }, SECRET);
    assert.deepEqual([wrong.status, wrong.text], [401, 'invalid heartbeat authorization\n']);
  });

  it('unregister: 404 for an unknown runner, 401 with a wrong secret, 204 with the heartbeat secret, then 404', async () => {
    const ok = JSON.parse((await heartbeat(orch, good)).text) as { runner_id: string; heartbeat_secret: string };
    const un = (id: string, auth: string) => post(orch.url, `/runners/${id}/unregister`, '', { Authorization: auth });
    assert.deepEqual(Object.values(await un('runner_nobody', ok.heartbeat_secret)).slice(0, 2), [404, 'runner not found\n']);
    assert.deepEqual(Object.values(await un(ok.runner_id, SECRET)).slice(0, 2), [401, 'invalid authorization\n']);
    assert.equal((await un(ok.runner_id, ok.heartbeat_secret)).status, 204);
    assert.equal((await un(ok.runner_id, ok.heartbeat_secret)).status, 404);
    assert.equal((await post(orch.url, '/runners/unregister', { runner_id: ok.runner_id }, { Authorization: ok.heartbeat_secret })).status, 404, 'there is no /runners/unregister route');
  });
});

describe('test orchestrator: off-chain, sessions and channel callbacks', () => {
  let orch: FakeOrchestrator;
  let runnerId: string;
  before(async () => {
    orch = await startOrchestrator({ secret: SECRET });
    runnerId = (JSON.parse((await heartbeat(orch, { ...good, capacity: 1 })).text) as { runner_id: string }).runner_id;
  });
  after(() => orch.close());

  it('off-chain ignores price_info (a zero price is accepted)', async () => {
    assert.equal((await heartbeat(orch, { ...good, price_info: { price: 0 } })).status, 200);
  });

  it('reserving beyond capacity is 503 "no capacity available for runner"', () => {
    const s = orch.reserve(runnerId);
    assert.throws(() => orch.reserve(runnerId), (err: Error & { status?: number }) => err.status === 503 && err.message === 'no capacity available for runner');
    orch.release(runnerId, s.id);
  });

  it('channel callbacks: token before body, Go decoding, name rules, 25 at most, idempotent create, 404 on unknown delete, 204 stop', async () => {
    const s = orch.reserve(runnerId);
    const base = `/runner/${runnerId}/session/${s.id}`;
    const call = (path: string, body: string | object, token = s.token, method = 'POST') => post(orch.url, base + path, body, { 'Livepeer-Session-Token': token }, method);
    assert.deepEqual(Object.values(await call('/channels', 'garbage', 'bad-token')).slice(0, 2), [401, 'invalid authorization\n']);
    const unknown = await post(orch.url, `/runner/${runnerId}/session/session_none/channels`, {}, { 'Livepeer-Session-Token': s.token });
    assert.deepEqual([unknown.status, unknown.text], [404, 'runner session not found\n']);
    assert.deepEqual(Object.values(await call('/channels', {})).slice(0, 2), [400, 'channels is required\n']);
    assert.deepEqual(Object.values(await call('/channels', { channels: 'x' })).slice(0, 2), [400, 'json: cannot unmarshal string into Go struct field liveRunnerTrickleChannelsRequest.channels of type []server.liveRunnerTrickleChannelRequest\n']);
    assert.deepEqual(Object.values(await call('/channels', { channels: [{ name: 5 }] })).slice(0, 2), [400, 'json: cannot unmarshal number into Go struct field liveRunnerTrickleChannelRequest.channels.name of type string\n']);
    const many = { channels: Array.from({ length: 26 }, (_, i) => ({ name: `c${i}` })) };
    assert.deepEqual(Object.values(await call('/channels', many)).slice(0, 2), [400, 'channels cannot contain more than 25 entries\n']);
    assert.deepEqual(Object.values(await call('/channels', { channels: [{ name: 'a b' }] })).slice(0, 2), [400, 'trickle channel name may only contain alphanumerics, underscores, or hyphens\n']);
    assert.deepEqual(Object.values(await call('/channels', { channels: [{ name: '  ' }] })).slice(0, 2), [400, 'trickle channel name is required\n']);
    const created = await call('/channels', { channels: [{ name: 'in', mime_type: 'video/MP2T' }, { name: 'out' }] });
    assert.equal(created.status, 200, created.text);
    const list = (JSON.parse(created.text) as { channels: { name: string; channel_name: string; url: string; internal_url: string; mime_type: string }[] }).channels;
    assert.deepEqual(list.map((c) => [c.name, c.channel_name, c.mime_type]), [['in', `${s.id}-in`, 'video/MP2T'], ['out', `${s.id}-out`, 'application/octet-stream']]);
    assert.ok(list[0]!.url.startsWith(orch.url) && list[0]!.internal_url.startsWith(orch.relay.url));
    const again = JSON.parse((await call('/channels', { channels: [{ name: 'in', mime_type: 'text/plain' }] })).text) as { channels: { mime_type: string }[] };
    assert.equal(again.channels[0]!.mime_type, 'video/MP2T', 'an existing name returns the existing channel');
    assert.deepEqual(Object.values(await call('/channels', { channels: ['nope'] }, s.token, 'DELETE')).slice(0, 2), [404, 'trickle channel not found\n']);
    const del = await call('/channels', { channels: ['out'] }, s.token, 'DELETE');
    assert.deepEqual([del.status, JSON.parse(del.text)], [200, { deleted: ['out'] }]);
    assert.equal(orch.relay.channels.has(`${s.id}-out`), false);
    assert.equal((await call('/stop', '')).status, 204);
    assert.equal(orch.relay.channels.has(`${s.id}-in`), false, 'releasing a session closes its channels');
    assert.equal((await call('/stop', '')).status, 404, 'the session is gone');
  });

  it('an unknown route is 404 and a wrong method 405, as Go\'s mux answers', async () => {
    assert.deepEqual(Object.values(await post(orch.url, '/runners/nope/x', '')).slice(0, 2), [404, '404 page not found\n']);
    assert.deepEqual(Object.values(await post(orch.url, '/runners/heartbeat', '', {}, 'PUT')).slice(0, 2), [405, 'Method Not Allowed\n']);
  });
});

describe('test orchestrator: BYOC ExternalCapability decoding', () => {
  let orch: FakeOrchestrator;
  before(async () => {
    orch = await startOrchestrator({ secret: SECRET, priceFeed: ['usd'] });
  });
  after(() => orch.close());
  const cap = { name: 'c', description: 'd', url: 'http://w:8080', capacity: 1, price_per_unit: 1, price_scaling: 1, currency: 'wei', token: 'tok' };

  it('a wrong secret is 400 "invalid authorization"', async () => {
    const r = await post(orch.url, '/capability/register', cap, { Authorization: 'nope' });
    assert.deepEqual([r.status, r.text], [400, 'invalid authorization\n']);
  });

  it('a fractional price_per_unit is refused with Go\'s message', async () => {
    const r = await post(orch.url, '/capability/register', { ...cap, price_per_unit: 1.5 }, { Authorization: SECRET });
    assert.deepEqual([r.status, r.text], [400, 'Error registering capability: json: cannot unmarshal number 1.5 into Go struct field ExternalCapability.price_per_unit of type int64']);
  });

  it('a token that is not a string is refused', async () => {
    const r = await post(orch.url, '/capability/register', { ...cap, token: 5 }, { Authorization: SECRET });
    assert.equal(r.text, 'Error registering capability: json: cannot unmarshal number into Go struct field ExternalCapability.token of type string');
  });

  it('a currency without a price feed drops the connection (the handler panics); a known one registers', async () => {
    await assert.rejects(post(orch.url, '/capability/register', { ...cap, currency: 'gbp' }, { Authorization: SECRET }));
    assert.equal((await post(orch.url, '/capability/register', { ...cap, currency: 'USD' }, { Authorization: SECRET })).text, 'ok');
    assert.equal(orch.capabilities.get('c')?.token, 'tok');
  });
});
