// A whole live-runner session through the built CLI: reserve, proxied start without URLs, real video, O2R release, self-release.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startOrchestrator, type FakeOrchestrator, type Runner } from '../helpers/orchestrator.js';
import { api, spawnServe, waitForHealth, type ServeChild } from '../worker/serve-child.js';
import { average, captureSegments, frameMeans, makeClip, publishFile, scratch } from '../process/media.js';
import { until } from '../helpers/until.js';

const SECRET = 'e2e-orch-secret-73aa';
const PASSWORD = 'hunter2-in-a-url';


interface Started {
  status: string;
  session_id: string;
  stream_id: string;
  channels: { in: string; out: string; control: string; events: string; data: string };
}

describe('a live-runner session end to end', () => {
  let orch: FakeOrchestrator;
  let serve: ServeChild;
  let runnerId: string;
  let runner: Runner;
  let dir: string;
  let cleanup: () => Promise<void>;
  const tokens: string[] = [];

  before(async () => {
    ({ dir, cleanup } = await scratch());
    await makeClip(path.join(dir, 'in.ts'), { width: 160, height: 120, seconds: 4, color: 'gray' });
    await makeClip(path.join(dir, 'short.ts'), { width: 160, height: 120, seconds: 2 });
    orch = await startOrchestrator({ secret: SECRET, heartbeatInterval: '200ms', o2rKeepaliveMs: 1000 });
    serve = await spawnServe(['--processor', 'red-tint', '--capacity', '2', '--register', 'live-runner', '--name', 'e2e', '--price-per-unit', '0.05', '--log-format', 'json', '--verbose'], {
      ORCH_URL: orch.url,
      ORCH_SECRET: SECRET,
    });
    await waitForHealth(serve.url, 'IDLE');
    runnerId = await until('a ready runner', () => {
      const r = [...orch.runners.values()][0];
      return r?.heartbeats.at(-1)?.status === 'ready' ? r.id : undefined;
    });
    runner = orch.runners.get(runnerId)!;
  });

  after(async () => {
    await serve?.stop();
    await orch?.close();
    await cleanup?.();
  });

  const start = async (sessionId: string, streamId: string) => {
    const res = await fetch(orch.appUrl(runnerId, sessionId, '/stream/start'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ gateway_request_id: streamId, params: { intensity: 0.4 } }),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    return JSON.parse(text) as Started;
  };

  it('the worker makes the channels through the callback, takes public video, outputs red-tinted video, stops within 1 s of an O2R release', async () => {
    const session = orch.reserve(runnerId);
    tokens.push(session.token);
    const started = await start(session.id, 'sess-stream-1');
    assert.equal(started.session_id, session.id);
    for (const url of Object.values(started.channels)) assert.ok(url.startsWith(`${orch.url}/ai/trickle/${session.id}-`), `public URL: ${url}`);
    const callback = orch.to(`/runner/${runnerId}/session/${session.id}/channels`)[0]!;
    assert.equal(callback.method, 'POST');
    assert.equal(callback.headers['livepeer-session-token'], session.token);
    assert.deepEqual(JSON.parse(callback.body), {
      channels: [
        { name: 'in', mime_type: 'video/MP2T' },
        { name: 'out', mime_type: 'video/MP2T' },
        { name: 'control', mime_type: 'application/json' },
        { name: 'events', mime_type: 'application/json' },
        { name: 'data', mime_type: 'application/jsonl' },
      ],
    });
    const beat = await until('heartbeat lists the session', () => (orch.lastHeartbeat(runnerId)?.session_ids?.includes(session.id) ? true : undefined));
    assert.ok(beat);

    const capture = new AbortController();
    const output = captureSegments(started.channels.out, { start: 0, signal: capture.signal });
    await publishFile(started.channels.in, path.join(dir, 'in.ts'), { re: true, keepOpen: true });
    const outCount = await until('output segments', async () => {
      const res = await fetch(`${started.channels.out}/next`);
      const n = Number(await res.text());
      return n >= 2 ? n : undefined;
    });
    assert.ok(outCount >= 2);

    const releasedAt = Date.now();
    orch.release(runnerId, session.id);
    const stoppedIn = await until('stream stopped', async () => ((await api(serve.url, '/health')).json.status === 'IDLE' ? Date.now() - releasedAt : undefined), 5000);
    assert.ok(stoppedIn <= 1000, `stopped ${stoppedIn} ms after the release`);
    assert.match(serve.stderr(), /orchestrator released a session/);
    for (const name of ['in', 'out', 'control', 'events', 'data']) assert.equal(orch.relay.channels.has(`${session.id}-${name}`), false, `${name} deleted`);
    capture.abort();
    const segments = await output;
    assert.ok(segments.length >= 2, `${segments.length} output segments`);
    const means = average(await frameMeans(Buffer.concat(segments), 160, 120));
    assert.ok(means.r > means.g + 60 && Math.abs(means.g - means.b) < 6, `red-tinted gray: ${JSON.stringify(means)}`);
    assert.deepEqual(
      orch.publicTrickle.filter((t) => t.channel.startsWith(session.id) && ((t.method === 'GET' && t.channel.endsWith('-in')) || (t.method === 'POST' && !t.channel.endsWith('-in')))),
      [],
      'the worker used the internal URLs only',
    );
  });

  it('a stream whose input closes deletes its channels and releases its session by itself', async () => {
    const session = orch.reserve(runnerId);
    tokens.push(session.token);
    const started = await start(session.id, 'sess-stream-2');
    await publishFile(started.channels.in, path.join(dir, 'short.ts'));
    const base = `/runner/${runnerId}/session/${session.id}`;
    const stop = await until('self-release', () => orch.to(`${base}/stop`)[0]);
    assert.equal(stop.status, 204);
    assert.equal(stop.headers['livepeer-session-token'], session.token);
    const del = orch.requests.find((r) => r.path === `${base}/channels` && r.method === 'DELETE')!;
    assert.equal(del.status, 200, del.reply);
    assert.deepEqual(JSON.parse(del.body), { channels: ['in', 'out', 'control', 'events', 'data'] });
    assert.ok(del.at <= stop.at, 'channels deleted before the release');
    assert.equal(orch.runners.get(runnerId)!.sessions.has(session.id), false);
    await waitForHealth(serve.url, 'IDLE');
  });

  it('a session start that names its URLs uses them; a URL password is never logged', async () => {
    const session = orch.reserve(runnerId);
    tokens.push(session.token);
    const secretUrl = orch.relay.url.replace('http://', `http://user:${PASSWORD}@`);
    const res = await fetch(orch.appUrl(runnerId, session.id, '/stream/start'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ gateway_request_id: 'sess-stream-3', subscribe_url: `${secretUrl}missing-in`, publish_url: `${secretUrl}missing-out` }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.channels, undefined, 'no channels were created');
    assert.equal(orch.to(`/runner/${runnerId}/session/${session.id}/channels`).length, 0);
    // The input channel does not exist: the stream ends by itself and hands the session back.
    await until('released', () => orch.to(`/runner/${runnerId}/session/${session.id}/stop`)[0]);
    await waitForHealth(serve.url, 'IDLE');
  });

  it('no secret reaches any log line at any level', async () => {
    await serve.stop('SIGTERM');
    const logs = serve.stderr();
    assert.match(logs, /"level":"debug"/, 'debug lines were written');
    const secrets = [SECRET, PASSWORD, ...tokens, runner.heartbeatSecret, runner.o2r!.url, runner.o2r!.channel_name];
    for (const r of orch.requests) {
      if (r.path.endsWith('/channels') && r.method === 'POST' && r.status === 200) {
        for (const c of (JSON.parse(r.reply) as { channels: { url: string; internal_url: string }[] }).channels) secrets.push(c.url, c.internal_url);
      }
    }
    for (const s of secrets) assert.ok(!logs.includes(s), `a secret was logged: ${s.slice(0, 12)}…`);
    assert.match(logs, /\*\*\*/, 'redactions happened');
  });
});
