// The relay's memory bound (`trickle relay --max-retained-bytes`): new segments over it get 503, segments being written complete.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnRelayCli } from '../helpers/relay.js';
import { openGet, openPost, publish, request } from './wire.js';

const KIB = 1024;

test('at its retained-bytes cap the relay answers 503 to a new segment while a segment in flight completes', async () => {
  const relay = await spawnRelayCli(['--max-retained-bytes', String(1024 * KIB)]);
  try {
    const big = `${relay.url}big`;
    assert.equal((await request('POST', big)).status, 200, 'channel created');
    const reader = openGet(`${big}/0`);
    const post = openPost(`${big}/0`);
    const chunk = Buffer.alloc(64 * KIB, 7);
    // 1.25 MiB in: over the 1 MiB cap, and still being written.
    for (let i = 0; i < 20; i++) await post.write(chunk);
    await reader.waitFor(20 * chunk.length);

    const refused = await publish(`${relay.url}other/0`, 'a new segment');
    assert.equal(refused.status, 503);
    assert.equal(refused.text, 'Relay is over its retained-bytes limit\n');
    assert.equal(refused.headers['retry-after'], '1');
    assert.equal((await publish(`${big}/1`, 'the next one of the same channel')).status, 503, 'its slot frees nothing');

    // The segment in flight goes on to its end, every byte to its reader.
    for (let i = 0; i < 4; i++) await post.write(chunk);
    post.end();
    assert.equal((await post.reply).status, 200);
    const got = await reader.done;
    assert.equal(got.body.length, 24 * chunk.length);

    // Once the big channel is gone its bytes no longer count.
    assert.equal((await request('DELETE', big)).status, 200);
    assert.equal((await publish(`${relay.url}other/0`, 'now it fits')).status, 200);
  } finally {
    await relay.stop();
  }
});
