// `trickle serve --threads auto` shares the machine's cores out over the streams it takes at once: x264 in each stream gets its share.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { api, nextSegment, serveWithInput, type ServedInput } from './serve-child.js';

/** x264 writes its settings into the first keyframe (an SEI), threads among them. */
const x264Threads = (ts: Buffer) => /x264 .* threads=(\d+)/.exec(ts.toString('latin1'))?.[1];

for (const [capacity, args] of [[2, []], [1, ['--threads', '1']]] as const) {
  const expected = args.length ? 1 : Math.max(1, Math.floor(availableParallelism() / capacity));
  describe(`trickle serve --capacity ${capacity} ${args.join(' ') || '(threads auto)'}`, () => {
    let served: ServedInput;
    before(async () => {
      served = await serveWithInput(['--processor', 'passthrough', '--capacity', String(capacity), ...args]);
    });
    after(() => served?.close());

    it(`encodes each stream with ${expected} x264 thread(s)`, async () => {
      const out = served.ch('out-t');
      const segment = nextSegment(out, 0);
      const r = await api(served.serve.url, '/stream/start', { headers: { 'x-stream-id': 't' }, body: { gateway_request_id: 't', subscribe_url: served.ch('in'), publish_url: out } });
      assert.equal(r.status, 200, r.text);
      try {
        assert.equal(x264Threads(await segment), String(expected));
      } finally {
        await api(served.serve.url, '/stream/stop', { method: 'POST', headers: { 'x-stream-id': 't' }, raw: '' });
      }
    });
  });
}
