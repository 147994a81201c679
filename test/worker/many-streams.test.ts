// Ten 512x512@30 streams started at once under one `trickle serve` on a saturated CPU: every one of them produces output.
import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { waitForChannel } from '../../src/pipeline/wait-channel.js';
import { Subscriber } from '../../src/trickle/subscriber.js';
import { api, serveWithInput, type ServeChild, type ServedInput } from './serve-child.js';

const STREAMS = 10;

/** The first complete segment of `url` (waiting for the channel), or undefined when the channel ended first. */
async function firstSegment(url: string, signal: AbortSignal): Promise<Buffer | undefined> {
  if (!(await waitForChannel(url, { signal }))) return undefined;
  const sub = new Subscriber({ url, start: 0, signal });
  try {
    const seg = await sub.next();
    if (!seg) return undefined;
    const parts: Buffer[] = [];
    for await (const c of seg.body as AsyncIterable<Buffer>) parts.push(Buffer.from(c));
    return Buffer.concat(parts);
  } finally {
    await sub.close();
  }
}

describe('trickle serve: ten streams at once', () => {
  let served: ServedInput;
  let serve: ServeChild;
  const ch = (name: string) => served.ch(name);

  before(async () => {
    served = await serveWithInput(['--processor', 'passthrough', '--capacity', String(STREAMS)], { size: '512x512' });
    serve = served.serve;
  });
  after(() => served?.close());

  it('every one of ten streams started together produces output; none fails at start', async () => {
    const ids = Array.from({ length: STREAMS }, (_, i) => `s${i}`);
    const abort = new AbortController();
    setMaxListeners(4 * STREAMS, abort.signal); // one signal for every stream's reader
    const outputs = ids.map((id) => firstSegment(ch(`out-${id}`), abort.signal));
    const giveUp = setTimeout(() => abort.abort(), 200_000);
    try {
      const starts = await Promise.all(
        ids.map((id) => api(serve.url, '/stream/start', { headers: { 'x-stream-id': id }, body: { gateway_request_id: id, subscribe_url: ch('in'), publish_url: ch(`out-${id}`) } })),
      );
      for (const r of starts) assert.equal(r.status, 200, r.text);
      const segments = await Promise.allSettled(outputs);
      const missing = ids.filter((_, i) => segments[i]!.status !== 'fulfilled' || !(segments[i] as PromiseFulfilledResult<Buffer | undefined>).value?.length);
      assert.deepEqual(missing, [], `streams without output; serve said:\n${serve.stderr().split('\n').filter((l) => /warn|error/i.test(l)).slice(-20).join('\n')}`);
      const st = await api(serve.url, '/stream/status');
      assert.equal(st.json.active_streams, STREAMS, 'all ten still running');
      assert.equal(st.json.last_stream_error, null);
    } finally {
      clearTimeout(giveUp);
      abort.abort();
      await Promise.allSettled(ids.map((id) => api(serve.url, '/stream/stop', { method: 'POST', headers: { 'x-stream-id': id }, raw: '' })));
    }
  });
});
