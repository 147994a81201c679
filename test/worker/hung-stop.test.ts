// `trickle serve` with a processor whose video() hangs: /stream/stop and SIGTERM finish within the stop grace, close the output, send stream_stopped last and leave nothing posting.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { STOP_GRACE_MS } from '../../src/pipeline/pipeline.js';
import { channelStatus, watchEvents } from '../helpers/events.js';
import { api, serveWithInput, type ServeChild, type ServedInput } from './serve-child.js';

const HANGS = fileURLToPath(new URL('./fixtures/hang-at.js', import.meta.url));
/** What a loaded machine may add to the stop grace. */
const SLACK_MS = 1500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('trickle serve: stopping streams whose video() hangs', () => {
  let served: ServedInput;
  let serve: ServeChild;
  const ch = (name: string) => served.ch(name);

  before(async () => {
    // A heartbeat and a status event every second: a stream left running would show within one.
    served = await serveWithInput(['--processor', HANGS, '--capacity', '2', '--hang-limit', '60'], { env: { TRICKLE_EVENT_INTERVAL_MS: '1000', HANG_AT: '30' } });
    serve = served.serve;
  });
  after(() => served?.close());

  /** Starts stream `id` and resolves once its video() has been pending past the frame timeout. */
  async function startHung(id: string) {
    const watch = watchEvents(ch(`ev-${id}`));
    const r = await api(serve.url, '/stream/start', {
      headers: { 'x-stream-id': id },
      body: { gateway_request_id: id, subscribe_url: ch('in'), publish_url: ch(`out-${id}`), events_url: ch(`ev-${id}`) },
    });
    assert.equal(r.status, 200, r.text);
    await watch.next('error', 90_000, (e) => e.hook === 'video' && e.fatal === false);
    return watch;
  }

  it('/stream/stop during a hung video() answers within the grace: output closed, stream_stopped last, no zombie posting', async () => {
    const watch = await startHung('a');
    try {
      const t0 = Date.now();
      const stop = await api(serve.url, '/stream/stop', { method: 'POST', headers: { 'x-stream-id': 'a' }, raw: '' });
      const took = Date.now() - t0;
      assert.equal(stop.status, 200, stop.text);
      assert.ok(took < STOP_GRACE_MS + SLACK_MS, `/stream/stop took ${took} ms`);
      await watch.ended;
      assert.equal(watch.events.at(-1)?.event.type, 'stream_stopped');
      assert.equal(await channelStatus(ch('out-a')), 404, 'output channel closed');
      await sleep(3000);
      assert.equal(await channelStatus(ch('ev-a')), 404, 'no heartbeat or status after stream_stopped');
      assert.deepEqual((await api(serve.url, '/health')).json, { status: 'IDLE' });
    } finally {
      await watch.close();
    }
  });

  it('SIGTERM during a hung video(): serve exits on the first signal within the grace, with exit 143 and the stream ended', async () => {
    const watch = await startHung('b');
    try {
      const t0 = Date.now();
      const code = await serve.stop('SIGTERM');
      const took = Date.now() - t0;
      assert.equal(code, 143, serve.stderr());
      assert.ok(took < STOP_GRACE_MS + SLACK_MS + 1000, `serve exited ${took} ms after SIGTERM`);
      await watch.ended;
      assert.equal(watch.events.at(-1)?.event.type, 'stream_stopped');
      assert.equal(await channelStatus(ch('out-b')), 404, 'output channel closed');
      assert.equal(await channelStatus(ch('ev-b')), 404, 'events channel closed');
    } finally {
      await watch.close();
    }
  });
});
