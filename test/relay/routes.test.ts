// Relay route table, channel creation (autocreate on/off), /next, hooks and the changefeed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Relay } from '../../src/relay/index.js';
import { RelayRequestError } from '../../src/relay/index.js';
import { startRelay } from '../helpers/relay.js';
import { openGet, publish, request, sleep } from './wire.js';

function assertGoError(r: { status: number; headers: Record<string, unknown>; text: string }, status: number, message: string) {
  assert.equal(r.status, status);
  assert.equal(r.text, message + '\n');
  assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
}

describe('relay routes (autocreate on)', () => {
  let relay: Relay;
  before(async () => {
    relay = await startRelay();
  });
  after(() => relay.close());

  it('GET and DELETE on a segment of an unknown channel are 404 and GET creates nothing', async () => {
    assertGoError(await request('GET', relay.channelUrl('nope') + '/0'), 404, 'Stream not found');
    assertGoError(await request('GET', relay.channelUrl('nope') + '/next'), 404, 'Stream not found');
    assertGoError(await request('DELETE', relay.channelUrl('nope') + '/0'), 404, 'Stream not found');
    assertGoError(await request('GET', relay.channelUrl('nope') + '/0'), 404, 'Stream not found');
  });

  it('a non-integer idx is 400 Invalid idx on GET, POST and DELETE', async () => {
    await publish(relay.channelUrl('c3') + '/0', 'x');
    for (const method of ['GET', 'POST', 'DELETE']) {
      assertGoError(await request(method, relay.channelUrl('c3') + '/abc', method === 'POST' ? { body: 'x' } : {}), 400, 'Invalid idx');
    }
    assertGoError(await request('GET', relay.channelUrl('c3') + '/1.5'), 400, 'Invalid idx');
  });

  it('other methods are 405, deeper paths 404 page not found', async () => {
    const r = await request('PUT', relay.channelUrl('c1') + '/0', { body: 'x' });
    assert.equal(r.status, 405);
    assert.match(String(r.headers.allow), /GET/);
    assert.equal((await request('PATCH', relay.channelUrl('c1'))).status, 405);
    assertGoError(await request('GET', relay.channelUrl('c1') + '/0/extra'), 404, '404 page not found');
    assertGoError(await request('GET', relay.url), 404, '404 page not found');
  });

  it('POST {ch}/{idx} autocreates with Content-Type as MIME; POST {ch} with Expect-Content', async () => {
    await publish(relay.channelUrl('auto1') + '/0', 'hello', { 'Content-Type': 'video/MP2T' });
    const got = await request('GET', relay.channelUrl('auto1') + '/0');
    assert.equal(got.status, 200);
    assert.equal(got.headers['content-type'], 'video/MP2T');
    assert.equal(got.text, 'hello');

    const created = await request('POST', relay.channelUrl('auto2'), { headers: { 'Expect-Content': 'application/json' } });
    assert.equal(created.status, 200);
    // Re-creating is a no-op: the MIME stays.
    assert.equal((await request('POST', relay.channelUrl('auto2'), { headers: { 'Expect-Content': 'text/plain' } })).status, 200);
    await publish(relay.channelUrl('auto2') + '/0', '{"a":1}', { 'Content-Type': 'video/MP2T' });
    const got2 = await request('GET', relay.channelUrl('auto2') + '/0');
    assert.equal(got2.headers['content-type'], 'application/json');
  });

  it('GET /next returns nextWrite in the body and Lp-Trickle-Latest', async () => {
    await request('POST', relay.channelUrl('nx'));
    let r = await request('GET', relay.channelUrl('nx') + '/next');
    assert.equal(r.status, 200);
    assert.equal(r.text, '0');
    assert.equal(r.headers['lp-trickle-latest'], '0');
    await publish(relay.channelUrl('nx') + '/0', 'a');
    await publish(relay.channelUrl('nx') + '/1', 'b');
    r = await request('GET', relay.channelUrl('nx') + '/next');
    assert.equal(r.text, '2');
    assert.equal(r.headers['lp-trickle-latest'], '2');
    assert.equal(r.headers['lp-trickle-closed'], undefined);
  });

  it('DELETE of an unknown channel is 400 Invalid stream', async () => {
    assertGoError(await request('DELETE', relay.channelUrl('ghost')), 400, 'Invalid stream');
  });

  it('percent-encoded channel names round-trip through channelUrl', async () => {
    const name = 'a b+c';
    await publish(relay.channelUrl(name) + '/0', 'enc');
    assert.equal((await request('GET', relay.channelUrl(name) + '/0')).text, 'enc');
  });
});

describe('relay routes (autocreate off, base path)', () => {
  let relay: Relay;
  before(async () => {
    relay = await startRelay({ autocreate: false, path: 'ai/trickle' });
  });
  after(() => relay.close());

  it('normalises the base path and serves nothing outside it', async () => {
    assert.match(relay.url, /\/ai\/trickle\/$/);
    const outside = await request('GET', new URL('/other/0', relay.url).href);
    assert.equal(outside.status, 404);
  });

  it('POST to an unknown channel is 404 with Connection: close; POST {ch} does not create', async () => {
    const post = await publish(relay.channelUrl('x') + '/0', 'data');
    assert.equal(post.status, 404);
    assert.equal(post.text, 'Stream not found\n');
    assert.equal(post.headers.connection, 'close');
    const create = await request('POST', relay.channelUrl('x'), { headers: { 'Expect-Content': 'video/MP2T' } });
    assert.equal(create.status, 404);
    assert.equal((await request('GET', relay.channelUrl('x') + '/next')).status, 404);
  });
});

describe('relay hooks', () => {
  let relay: Relay;
  const calls: string[] = [];
  before(async () => {
    relay = await startRelay({
      hooks: {
        async beforeCreate(name) {
          calls.push('create:' + name);
          if (name === 'forbidden') throw new RelayRequestError(403, 'not allowed');
          if (name === 'weird') throw new RelayRequestError(302, 'odd code');
          if (name === 'boom') throw new Error('internal detail');
        },
        beforeDelete(name) {
          calls.push('delete:' + name);
          if (name === 'keep') throw new RelayRequestError(409, 'keep it');
        },
      },
    });
  });
  after(() => relay.close());

  it('a typed 4xx keeps its code, a non-4xx typed error becomes 400, anything else 500; nothing is created', async () => {
    const forbidden = await request('POST', relay.channelUrl('forbidden'));
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.text, 'not allowed\n');
    assert.equal((await request('POST', relay.channelUrl('weird'))).status, 400);
    const boom = await request('POST', relay.channelUrl('boom'));
    assert.equal(boom.status, 500);
    assert.doesNotMatch(boom.text, /internal detail/);
    for (const name of ['forbidden', 'weird', 'boom']) {
      assert.equal((await request('GET', relay.channelUrl(name) + '/next')).status, 404);
    }
    assert.equal((await request('POST', relay.channelUrl('fine'))).status, 200);
    assert.equal((await request('GET', relay.channelUrl('fine') + '/next')).status, 200);
  });

  it('beforeDelete can refuse a deletion', async () => {
    await request('POST', relay.channelUrl('keep'));
    const r = await request('DELETE', relay.channelUrl('keep'));
    assert.equal(r.status, 409);
    assert.equal((await request('GET', relay.channelUrl('keep') + '/next')).status, 200);
    assert.ok(calls.includes('delete:keep'));
  });
});

describe('relay changefeed', () => {
  let relay: Relay;
  before(async () => {
    relay = await startRelay({ changefeed: true });
  });
  after(() => relay.close());

  it('announces _changes itself, then additions and removals, one segment each', async () => {
    const first = await request('GET', relay.channelUrl('_changes') + '/0');
    assert.equal(first.status, 200);
    assert.equal(first.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(first.text), { added: ['_changes'] });

    const next = openGet(relay.channelUrl('_changes') + '/1');
    await sleep(50);
    await publish(relay.channelUrl('cam') + '/0', 'x');
    assert.deepEqual(JSON.parse((await next.done).text), { added: ['cam'] });
    assert.equal((await request('DELETE', relay.channelUrl('cam'))).status, 200);
    const removed = await request('GET', relay.channelUrl('_changes') + '/2');
    assert.deepEqual(JSON.parse(removed.text), { removed: ['cam'] });
    assert.equal((await request('GET', relay.channelUrl('_changes') + '/next')).text, '3');
  });
});
