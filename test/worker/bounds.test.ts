// `trickle serve` refuses what would exceed its bounds before anything starts: frame sizes over the cap, params nested too deep.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { channelStatus } from '../helpers/events.js';
import { until } from '../helpers/until.js';
import { api, serveWithInput, type ServeChild, type ServedInput } from './serve-child.js';

/** The command names of `pid`'s child processes (Linux /proc). */
async function childCommands(pid: number): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
    if (m && Number(m[2]) === pid) names.push(m[1]!);
  }
  return names;
}

/** `{"a":{"a":…1}}` as JSON text, `depth` levels deep (too deep for JSON.stringify here too). */
const nested = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const json = { 'content-type': 'application/json' };

describe('trickle serve: bounds', () => {
  let served: ServedInput;
  let serve: ServeChild;
  const ch = (name: string) => served.ch(name);
  const start = (id: string, params: unknown) =>
    api(serve.url, '/stream/start', { headers: { 'x-stream-id': id }, body: { gateway_request_id: id, subscribe_url: ch('in'), publish_url: ch(`out-${id}`), params } });

  before(async () => {
    served = await serveWithInput(['--processor', 'red-tint', '--capacity', '2']);
    serve = served.serve;
  });
  after(() => served?.close());

  it('frame sizes over --max-resolution (4096x4096) or 2^25 pixels are refused with 400 before any child starts', async () => {
    const big = await start('big', { width: 8000, height: 8000 });
    assert.equal(big.status, 400, big.text);
    assert.equal(big.json.message, 'Error starting stream: params.width/params.height ask for 8000x8000, over the largest frame size 4096x4096 (limits.maxResolution)');
    const wide = await start('wide', { width: 10 ** 9, height: 16 });
    assert.equal(wide.status, 400, wide.text);
    assert.match(wide.json.message, /ask for 1000000000x16, over the largest frame size 4096x4096/);
    assert.deepEqual(await childCommands(serve.child.pid!), [], 'no ffmpeg (or anything else) was started');
    assert.equal((await api(serve.url, '/stream/status')).json.client_active, false);
    assert.equal(await channelStatus(ch('out-big')), 404, 'no output channel was opened');
  });

  it('params nested too deep are refused on start and on /stream/params, and /stream/status keeps answering 200', async () => {
    const deep = await api(serve.url, '/stream/start', {
      headers: json,
      raw: `{"gateway_request_id":"deep","subscribe_url":"${ch('in')}","publish_url":"${ch('out-deep')}","params":{"x":${nested(5000)}}}`,
    });
    assert.equal(deep.status, 400, deep.text);
    assert.equal(deep.json.message, 'Error starting stream: params nest deeper than 32 levels');

    const ok = await start('ok', { intensity: 0.5 });
    assert.equal(ok.status, 200, ok.text);
    try {
      // (What the first test looked for: a running stream's ffmpeg children.)
      await until('ffmpeg children', async () => ((await childCommands(serve.child.pid!)).includes('ffmpeg') ? true : undefined), 30_000);
      for (const raw of [`{"x":${nested(5000)}}`, '{"width":8000,"height":8000}']) {
        const upd = await api(serve.url, '/stream/params', { headers: { 'x-stream-id': 'ok', ...json }, raw });
        assert.equal(upd.status, 400, upd.text);
        assert.match(upd.json.message, /^Parameter update failed: /);
      }
      const st = await api(serve.url, '/stream/status', { headers: { 'x-stream-id': 'ok' } });
      assert.equal(st.status, 200, st.text);
      assert.deepEqual(Object.keys(st.json.current_params.params).sort(), ['intensity']);
    } finally {
      await api(serve.url, '/stream/stop', { method: 'POST', headers: { 'x-stream-id': 'ok' }, raw: '' });
    }
  });
});
