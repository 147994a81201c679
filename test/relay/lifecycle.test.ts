// Relay lifecycle: DELETEs, idle sweep, 100 Continue keep-alive, shutdown, and our deliberate deviations.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Relay } from '../../src/relay/index.js';
import { Channel } from '../../src/relay/channel.js';
import { startRelay } from '../helpers/relay.js';
import { openGet, openPost, publish, request, settlesWithin, sleep } from './wire.js';

describe('relay deletes and closed channels', () => {
  let relay: Relay;
  before(async () => {
    relay = await startRelay();
  });
  after(() => relay.close());

  it('DELETE {ch} releases blocked readers (200 + Lp-Trickle-Closed) and preconnected POSTs, then 404s', async () => {
    const ch = relay.channelUrl('del');
    await publish(ch + '/0', 'a');
    const reader = openGet(ch + '/1');
    const pre = openPost(ch + '/2');
    const mid = openPost(ch + '/1');
    await mid.write('part');
    await reader.waitFor(4);
    const preReader = openGet(ch + '/2');
    await sleep(50);
    assert.equal((await request('DELETE', ch)).status, 200);
    const r = await reader.done;
    assert.equal(r.status, 200);
    assert.equal(r.text, 'part');
    const p = await pre.reply;
    assert.equal(p.status, 200);
    assert.equal(p.headers['lp-trickle-seq'], '2');
    assert.equal(p.headers['lp-trickle-closed'], 'terminated');
    assert.equal(p.headers.connection, 'close');
    const pr = await preReader.done;
    assert.equal(pr.status, 200);
    assert.equal(pr.body.length, 0);
    assert.equal(pr.headers['lp-trickle-closed'], 'terminated');
    for (const method of ['GET', 'DELETE']) assert.equal((await request(method, ch + '/0')).status, 404);
    assert.equal((await request('GET', ch + '/next')).status, 404);
    mid.abort();
  });

  it('a miss on a closed channel is 200 + Lp-Trickle-Closed (channel state as the handler sees it)', () => {
    const channel = new Channel('x', 'video/MP2T');
    channel.markWritten(0);
    channel.close();
    const lookup = channel.getForRead(7);
    assert.equal(lookup.segment, undefined, 'a closed channel precreates nothing');
    assert.equal(lookup.closed, true);
    assert.equal(lookup.latest, 1);
  });

  it('DELETE {ch}/{idx} closes a retained segment; a non-retained one is 400 Nonexistent segment', async () => {
    const ch = relay.channelUrl('delseg');
    const post = openPost(ch + '/0');
    await post.write('abc');
    const reader = openGet(ch + '/0');
    await reader.waitFor(3);
    assert.equal((await request('DELETE', ch + '/0')).status, 200);
    assert.equal((await reader.done).text, 'abc');
    const r = await request('DELETE', ch + '/3');
    assert.equal(r.status, 400);
    assert.equal(r.text, 'Nonexistent segment\n');
    post.end();
    assert.equal((await post.reply).status, 200);
  });
});

describe('relay deviations', () => {
  let relay: Relay;
  before(async () => {
    relay = await startRelay({ maxSegmentBytes: 1000 });
  });
  after(() => relay.close());

  it('400 Invalid idx for negative seqs other than -1/-2, and for -2 on POST', async () => {
    const ch = relay.channelUrl('neg');
    await publish(ch + '/0', 'a');
    for (const [method, idx] of [['GET', '-3'], ['GET', '-100'], ['POST', '-2'], ['POST', '-5'], ['DELETE', '-1']] as const) {
      const r = await request(method, `${ch}/${idx}`, method === 'POST' ? { body: 'x' } : {});
      assert.equal(r.status, 400, `${method} ${idx}`);
      assert.equal(r.text, 'Invalid idx\n');
    }
  });

  it('413 + Connection: close over the cap; the client sees the 413 and readers get EOF', async () => {
    const ch = relay.channelUrl('big');
    await request('POST', ch);
    const reader = openGet(ch + '/0');
    await sleep(50);
    const post = openPost(ch + '/0');
    await post.write(Buffer.alloc(600, 1));
    await reader.waitFor(600);
    await post.write(Buffer.alloc(600, 2));
    const r = await post.reply;
    assert.equal(r.status, 413);
    assert.equal(r.headers.connection, 'close');
    const got = await reader.done;
    assert.equal(got.body.length, 600);
    // A client pushing a large body in one go still reads the 413 rather than a reset.
    const whole = await publish(ch + '/1', Buffer.alloc(4 * 1024 * 1024, 3));
    assert.equal(whole.status, 413);
    assert.equal((await request('GET', ch + '/1')).body.length, 0);
  });

  it('a POST aborted mid-body closes its segment: a blocked reader gets the partial bytes, then EOF', async () => {
    const ch = relay.channelUrl('abort');
    await request('POST', ch);
    const reader = openGet(ch + '/0');
    const post = openPost(ch + '/0');
    await post.write('partial');
    await reader.waitFor(7);
    post.abort();
    const r = await reader.done;
    assert.equal(r.status, 200);
    assert.equal(r.text, 'partial');
  });
});

describe('relay publisher retries', () => {
  let relay: Relay;
  before(async () => {
    relay = await startRelay();
  });
  after(() => relay.close());

  it('a preconnected POST that dies before its first byte leaves the segment open for a retry on the same seq', async () => {
    const ch = relay.channelUrl('retry');
    await publish(ch + '/0', 'zero');
    const reader = openGet(ch + '/1');
    const pre = openPost(ch + '/1');
    await sleep(50);
    pre.abort();
    await sleep(50);
    assert.equal(reader.headersArrived(), false, 'the reader still waits');
    assert.equal((await request('GET', ch + '/next')).text, '1');
    const retry = await publish(ch + '/1', 'one');
    assert.equal(retry.status, 200);
    assert.equal((await reader.done).text, 'one');
  });
});

describe('relay idle sweep', () => {
  let relay: Relay;
  before(async () => {
    relay = await startRelay({ idleTimeoutMs: 300, sweepIntervalMs: 50 });
  });
  after(() => relay.close());

  it('deletes channels without writes, spares _names, and releases their readers', async () => {
    await publish(relay.channelUrl('idle') + '/0', 'a');
    await publish(relay.channelUrl('_system') + '/0', 'a');
    const reader = openGet(relay.channelUrl('idle') + '/1');
    const r = await reader.done;
    assert.equal(r.status, 200);
    assert.equal(r.headers['lp-trickle-closed'], 'terminated');
    assert.equal((await request('GET', relay.channelUrl('idle') + '/next')).status, 404);
    assert.equal((await request('GET', relay.channelUrl('_system') + '/next')).status, 200);
  });

  it('write activity keeps a channel alive', async () => {
    const ch = relay.channelUrl('busy');
    for (let i = 0; i < 6; i++) {
      await publish(`${ch}/${i}`, 'x');
      await sleep(100);
    }
    assert.equal((await request('GET', ch + '/next')).text, '6');
  });
});

describe('relay 100 Continue keep-alive and shutdown', () => {
  let relay: Relay;
  before(async () => {
    relay = await startRelay({ continueIntervalMs: 100 });
  });
  after(() => relay.close());

  it('sends repeated 100 Continue on an idle POST, then the final 200; never on a GET', async () => {
    const { port } = new URL(relay.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    let seen = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (seen += d));
    await new Promise((r) => socket.once('connect', r));
    socket.write('POST /keep/0 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    await sleep(350);
    const continues = seen.match(/HTTP\/1\.1 100 Continue\r\n\r\n/g) ?? [];
    assert.ok(continues.length >= 2, `got ${JSON.stringify(seen)}`);
    assert.doesNotMatch(seen, /HTTP\/1\.1 200/);
    socket.write('5\r\nhello\r\n0\r\n\r\n');
    for (let i = 0; i < 100 && !/HTTP\/1\.1 200/.test(seen); i++) await sleep(20);
    assert.match(seen, /HTTP\/1\.1 100 Continue\r\n\r\n(?:.|\r|\n)*HTTP\/1\.1 200 OK\r\n/);
    assert.match(seen, /lp-trickle-seq: 0/i);
    socket.destroy();

    // A preconnected GET waits silently: no interim responses.
    const raw = net.connect(Number(port), '127.0.0.1');
    let got = '';
    raw.setEncoding('latin1');
    raw.on('data', (d: string) => (got += d));
    await new Promise((r) => raw.once('connect', r));
    raw.write('GET /keep/1 HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(300);
    assert.equal(got, '');
    raw.destroy();
  });

  it('a port in use is TRICKLE_PORT_IN_USE', async () => {
    await assert.rejects(startRelay({ port: Number(new URL(relay.url).port) }), (err: { code?: string }) => err.code === 'TRICKLE_PORT_IN_USE');
  });

  it('close() ends readers and preconnected POSTs and resolves promptly', async () => {
    const other = await startRelay();
    const ch = other.channelUrl('s');
    await publish(ch + '/0', 'a');
    const reader = openGet(ch + '/1');
    const pre = openPost(ch + '/1');
    await sleep(50);
    await other.close();
    await other.close();
    const r = await reader.done;
    assert.equal(r.body.length, 0);
    assert.equal(await settlesWithin(pre.reply, 1000), true);
    await assert.rejects(request('GET', ch + '/next'));
  });
});
