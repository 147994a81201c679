// Full cycle through the real relay and pipeline: two concurrent streams, params to one only, events, stop.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ResultPromise } from 'execa';
import type { Relay } from '../../src/relay/index.js';
import { Subscriber } from '../../src/trickle/subscriber.js';
import { spawnCli } from '../helpers/cli.js';
import { startRelay } from '../helpers/relay.js';
import { makeTs, tempDir } from '../helpers/media-gen.js';
import { average, frameMeans } from '../process/media.js';
import { api, nextSegment, spawnServe, waitForHealth, type ServeChild } from './serve-child.js';
import { until as poll } from '../helpers/until.js';

interface Envelope {
  event: { type: string; [k: string]: unknown };
  queue_event_type: string;
}

/** R minus G of a segment's decoded frames (gray input: ≈ 0 untinted, ≈ intensity·255 tinted). */
async function redExcess(ts: Buffer): Promise<number> {
  const m = average(await frameMeans(ts, 160, 120));
  return m.r - m.g;
}

/** Collects every event envelope of a channel from seq 0 until close(). */
function collectEvents(url: string): { events: Envelope[]; close: () => Promise<void> } {
  const events: Envelope[] = [];
  const sub = new Subscriber({ url, start: 0, waitForChannel: true });
  const loop = (async () => {
    for (;;) {
      const seg = await sub.next().catch(() => null);
      if (!seg) return;
      let text = '';
      for await (const c of seg.body) text += String(c);
      events.push(JSON.parse(text) as Envelope);
    }
  })();
  return { events, close: async () => (await sub.close(), await loop) };
}

/** Polls every 200 ms (a stream's state changes slowly), 60 s at most. */
const until = <T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000) => poll(what, fn, timeoutMs, 200);

/** A channel URL on the test relay (its url ends with the base path). */
let relayBase = '';
const ch = (name: string): string => new URL(name, relayBase).href;

describe('trickle serve: streams through the real relay and pipeline', () => {
  let relay: Relay;
  let serve: ServeChild;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const publishers: ResultPromise[] = [];
  before(async () => {
    relay = await startRelay();
    relayBase = relay.url;
    tmp = await tempDir('trickle-worker-');
    await makeTs(tmp.file('gray.ts'), { video: 'color=c=gray:size=160x120:rate=10', seconds: 4, extra: ['-g', '10'] });
    for (const name of ['in-a', 'in-b']) {
      publishers.push(spawnCli(['publish', ch(name), '-i', tmp.file('gray.ts'), '--re', '--loop']));
    }
    serve = await spawnServe(['--processor', 'red-tint', '--capacity', '2']);
    await waitForHealth(serve.url, 'IDLE');
    // The orchestrator creates input channels before /stream/start; wait for the publishers to have done so.
    for (const name of ['in-a', 'in-b']) await until(`${name} exists`, async () => ((await fetch(ch(`${name}/next`))).status === 200 ? true : undefined));
  });
  after(async () => {
    await serve?.stop();
    for (const p of publishers) p.kill('SIGTERM');
    await Promise.allSettled(publishers);
    await relay?.close();
    await tmp?.cleanup();
  });

  it('two streams run independently; params reach only their stream; events carry heartbeat, status and lifecycle', async () => {
    const evA = collectEvents(ch(`ev-a`));
    try {
      const a = await api(serve.url, '/stream/start', {
        headers: { 'x-stream-id': 'a' },
        body: {
          gateway_request_id: 'a',
          subscribe_url: ch(`in-a`),
          publish_url: ch(`out-a`),
          control_url: ch(`ctl-a`),
          events_url: ch(`ev-a`),
          params: { intensity: 0.5 },
        },
      });
      assert.equal(a.status, 200, a.text);
      const b = await api(serve.url, '/live-video-to-video', {
        body: { gateway_request_id: 'b', stream_id: 'b', model_id: 'ignored', subscribe_url: ch(`in-b`), publish_url: ch(`out-b`), params: { intensity: 0.5 } },
      });
      assert.equal(b.status, 200, b.text);
      assert.equal(b.json.current_state.active_streams, 2);
      const third = await api(serve.url, '/stream/start', { body: { gateway_request_id: 'c', subscribe_url: ch(`in-b`), publish_url: ch(`out-c`) } });
      assert.equal(third.status, 503);
      assert.equal(third.json.message, 'Pipeline is still in use');

      // Media flows on both, tinted.
      assert.ok((await redExcess(await nextSegment(ch(`out-a`)))) > 90, 'A tinted at 0.5');
      assert.ok((await redExcess(await nextSegment(ch(`out-b`)))) > 90, 'B tinted at 0.5');

      // With two streams active, a request naming none is ambiguous.
      const ambiguous = await api(serve.url, '/stream/params', { body: { intensity: 0 } });
      assert.equal(ambiguous.status, 400);
      assert.match(ambiguous.json.message, /2 streams are active/);

      const upd = await api(serve.url, '/stream/params', { headers: { 'x-stream-id': 'a' }, body: { intensity: 0 } });
      assert.equal(upd.status, 200, upd.text);
      await until('A untinted', async () => ((await redExcess(await nextSegment(ch(`out-a`)))) < 15 ? true : undefined));
      assert.ok((await redExcess(await nextSegment(ch(`out-b`)))) > 90, 'B keeps its own params');
      const stB = await api(serve.url, '/stream/status', { headers: { 'x-stream-id': 'b' } });
      assert.equal(stB.json.current_params.params.intensity, 0.5);
      const stA = await api(serve.url, '/stream/status?stream_id=a');
      assert.equal(stA.json.current_params.params.intensity, 0);
      assert.ok(stA.json.fps.ingress_video_fps > 0);

      const stopA = await api(serve.url, '/stream/stop', { method: 'POST', headers: { 'x-stream-id': 'a' }, raw: '' });
      assert.equal(stopA.status, 200);
      // B is undisturbed and is now the default stream.
      assert.ok((await redExcess(await nextSegment(ch(`out-b`)))) > 90, 'B still flowing after A stopped');
      const st = await api(serve.url, '/stream/status');
      assert.equal(st.json.stream_id, 'b');
      assert.equal(st.json.active_streams, 1);

      await until('stream_stopped on ev-a', () => (evA.events.some((e) => e.event.type === 'stream_stopped') ? true : undefined));
      const types = evA.events.map((e) => e.event.type);
      const hb = evA.events.find((e) => e.event.type === 'heartbeat');
      assert.ok(hb, `heartbeat in ${types.join(',')}`);
      assert.equal(hb!.queue_event_type, 'stream_heartbeat');
      assert.equal(typeof hb!.event.timestamp, 'number');
      assert.ok(types.includes('status'), 'status event');
      assert.ok(types.includes('receive_first_ingest_segment') || types.includes('send_first_processed_segment'), 'first-segment lifecycle event');
      const updates = evA.events.filter((e) => e.event.type === 'params_updated');
      assert.equal(updates.length, 1, 'params_updated once per update');
      assert.equal((updates[0]!.event.params as Record<string, unknown>).intensity, 0);
      assert.equal(types.at(-1), 'stream_stopped');

      const stopB = await api(serve.url, '/stream/stop', { method: 'POST', raw: '' });
      assert.equal(stopB.status, 200);
      assert.deepEqual((await api(serve.url, '/health')).json, { status: 'IDLE' });
    } finally {
      await evA.close();
    }
  });

  it('a stream whose input ends is cleaned up and frees its slot', async () => {
    const once = spawnCli(['publish', ch(`in-once`), '-i', tmp.file('gray.ts')]);
    await until('in-once exists', async () => ((await fetch(ch(`in-once/next`))).status === 200 ? true : undefined));
    const r = await api(serve.url, '/stream/start', { body: { gateway_request_id: 'once', subscribe_url: ch(`in-once`), publish_url: ch(`out-once`) } });
    assert.equal(r.status, 200, r.text);
    await once;
    await until('stream cleaned up', async () => ((await api(serve.url, '/health')).json.status === 'IDLE' ? true : undefined));
    const st = await api(serve.url, '/stream/status');
    assert.equal(st.json.client_active, false);
    assert.equal(st.json.active_streams, 0);
  });
});
