// Relay publish/subscribe semantics: live streaming, seq resolution, 470, the ring of 5, reset, append, fan-out.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Relay } from '../../src/relay/index.js';
import { startRelay } from '../helpers/relay.js';
import { openGet, openPost, publish, request, settlesWithin, sleep } from './wire.js';

describe('relay segments', () => {
  let relay: Relay;
  let n = 0;
  const fresh = () => relay.channelUrl(`ch${n++}`);
  before(async () => {
    relay = await startRelay();
  });
  after(() => relay.close());

  it('a preconnected GET gets the first chunk before the POST finishes; nextWrite moves on the first byte', async () => {
    const ch = fresh();
    await request('POST', ch, { headers: { 'Expect-Content': 'video/MP2T' } });
    const get = openGet(ch + '/0');
    const post = openPost(ch + '/0', { 'Content-Type': 'video/MP2T' });
    // No headers until data exists, and nextWrite stays 0 until the first byte.
    assert.equal(await settlesWithin(get.headers, 150), false);
    assert.equal((await request('GET', ch + '/next')).text, '0');
    await post.write('first-');
    const head = await get.headers;
    assert.equal(head.status, 200);
    assert.equal(head.headers['lp-trickle-seq'], '0');
    assert.equal(head.headers['content-type'], 'video/MP2T');
    assert.equal(head.headers['transfer-encoding'], 'chunked');
    await get.waitFor(6);
    assert.equal(get.received().toString(), 'first-');
    assert.equal((await request('GET', ch + '/next')).text, '1');
    assert.equal(await settlesWithin(post.reply, 50), false, 'POST still open');
    await post.write('second');
    post.end();
    const reply = await post.reply;
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['lp-trickle-seq'], '0');
    assert.equal(reply.body.length, 0);
    assert.equal((await get.done).text, 'first-second');
  });

  it('a GET arriving mid-publish gets the prefix at once, then the rest live', async () => {
    const ch = fresh();
    const post = openPost(ch + '/0');
    await post.write('abc');
    await sleep(30);
    const get = openGet(ch + '/0');
    await get.waitFor(3);
    assert.equal(get.received().toString(), 'abc');
    await post.write('def');
    post.end();
    assert.equal((await get.done).text, 'abcdef');
  });

  it('precreation grace for seq 1 at nextWrite 0; 470 beyond; Lp-Trickle-Latest rules', async () => {
    const ch = fresh();
    await request('POST', ch);
    const g1 = openGet(ch + '/1');
    const miss = await request('GET', ch + '/2');
    assert.equal(miss.status, 470);
    assert.equal(miss.text, 'Entry not found');
    assert.equal(miss.headers['lp-trickle-latest'], '0');
    assert.equal(miss.headers['lp-trickle-seq'], '2');
    assert.equal(miss.headers['lp-trickle-closed'], undefined);
    await publish(ch + '/0', 'zero');
    await publish(ch + '/1', 'one');
    const r1 = await g1.done;
    assert.equal(r1.text, 'one');
    assert.equal(r1.headers['lp-trickle-seq'], '1');
    // Lookup happened while nextWrite was 0, so Latest (0) differs from the served seq (1).
    assert.equal(r1.headers['lp-trickle-latest'], '0');
    const a = await request('GET', ch + '/0');
    const b = await request('GET', ch + '/1');
    assert.equal(a.headers['lp-trickle-latest'], '2');
    assert.equal(b.headers['lp-trickle-latest'], '2');
    // A GET for nextWrite itself carries no Latest header.
    const g2 = openGet(ch + '/2');
    await publish(ch + '/2', 'two');
    const r2 = await g2.done;
    assert.equal(r2.headers['lp-trickle-latest'], undefined);
    assert.equal(r2.headers['lp-trickle-seq'], '2');
  });

  it('470 echoes the raw requested idx (-1 style values included)', async () => {
    const ch = fresh();
    await publish(ch + '/0', 'a');
    const r = await request('GET', ch + '/+7');
    assert.equal(r.status, 470);
    assert.equal(r.headers['lp-trickle-seq'], '+7');
    assert.equal(r.headers['lp-trickle-latest'], '1');
  });

  it('-1 resolves to nextWrite on POST and GET; -2 joins the segment being written from byte 0', async () => {
    const ch = fresh();
    const p0 = await publish(ch + '/-1', 'seg0');
    assert.equal(p0.headers['lp-trickle-seq'], '0');
    // -2 with nextWrite 1 → seq 0.
    const cur = await request('GET', ch + '/-2');
    assert.equal(cur.text, 'seg0');
    assert.equal(cur.headers['lp-trickle-seq'], '0');
    const next = openGet(ch + '/-1');
    assert.equal(await settlesWithin(next.headers, 100), false);
    const post = openPost(ch + '/-1');
    await post.write('seg1-');
    const h = await next.headers;
    assert.equal(h.headers['lp-trickle-seq'], '1');
    // Mid-publish, -2 is the segment being written, from its first byte.
    const join = openGet(ch + '/-2');
    await join.waitFor(5);
    post.end('end');
    assert.equal((await post.reply).headers['lp-trickle-seq'], '1');
    assert.equal((await join.done).text, 'seg1-end');
    assert.equal((await next.done).text, 'seg1-end');
    // -2 on an empty channel resolves to 0 (precreated, blocks).
    const empty = fresh();
    await request('POST', empty);
    const g = openGet(empty + '/-2');
    await publish(empty + '/0', 'z');
    assert.equal((await g.done).headers['lp-trickle-seq'], '0');
  });

  it('five segments are retained; the sixth write evicts seq 0 and closes it for its readers', async () => {
    const ch = fresh();
    const post0 = openPost(ch + '/0');
    await post0.write('partial');
    const reader = openGet(ch + '/0');
    await reader.waitFor(7);
    for (let i = 1; i <= 5; i++) await publish(`${ch}/${i}`, `s${i}`);
    // Seq 5 took slot 0: the reader of seq 0 got EOF with what was there.
    assert.equal((await reader.done).text, 'partial');
    post0.abort();
    const gone = await request('GET', ch + '/0');
    assert.equal(gone.status, 470);
    assert.equal(gone.headers['lp-trickle-latest'], '6');
    for (let i = 1; i <= 5; i++) assert.equal((await request('GET', `${ch}/${i}`)).text, `s${i}`);
  });

  it('an empty POST returns 200 + Connection: close, advances nextWrite; GET of it is an empty 200', async () => {
    const ch = fresh();
    await publish(ch + '/0', 'a');
    const empty = await publish(ch + '/1', '');
    assert.equal(empty.status, 200);
    assert.equal(empty.headers['lp-trickle-seq'], '1');
    assert.equal(empty.headers.connection, 'close');
    assert.equal((await request('GET', ch + '/next')).text, '2');
    const r = await request('GET', ch + '/1');
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 0);
    assert.equal(r.headers['lp-trickle-seq'], '1');
    assert.equal(r.headers['lp-trickle-latest'], '2');
    assert.equal(r.headers['lp-trickle-closed'], undefined);
  });

  it('a preconnected reader of a segment that closes empty gets 200, empty body, current Latest', async () => {
    const ch = fresh();
    await publish(ch + '/0', 'a');
    const waiting = openGet(ch + '/1');
    await sleep(50);
    assert.equal((await request('DELETE', ch + '/1')).status, 200);
    const r = await waiting.done;
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 0);
    assert.equal(r.headers['lp-trickle-seq'], '1');
    assert.equal(r.headers['lp-trickle-latest'], '1');
    assert.equal(r.headers['lp-trickle-closed'], undefined);
  });

  it('a second POST to a retained open seq appends', async () => {
    // Two live POSTs to the same seq (an aborted one would close the segment: our deviation).
    const ch2 = fresh();
    const a = openPost(ch2 + '/0');
    await a.write('Hello');
    await sleep(20);
    const b = openPost(ch2 + '/0');
    await b.write('Goodbye');
    await sleep(20);
    b.end('World');
    await b.reply;
    assert.equal((await request('GET', ch2 + '/0')).text, 'HelloGoodbyeWorld');
    a.end();
    assert.equal((await a.reply).status, 200);
  });

  it('Lp-Trickle-Reset closes lower retained segments, keeping their partial data', async () => {
    const ch = fresh();
    const stuck = openPost(ch + '/0');
    await stuck.write('Hello');
    const reader = openGet(ch + '/0');
    await reader.waitFor(5);
    const reset = await publish(ch + '/-1', 'World', { 'Lp-Trickle-Reset': '1' });
    assert.equal(reset.status, 200);
    assert.equal(reset.headers['lp-trickle-seq'], '1');
    assert.equal((await reader.done).text, 'Hello');
    assert.equal((await request('GET', ch + '/0')).text, 'Hello');
    assert.equal((await request('GET', ch + '/1')).text, 'World');
    stuck.abort();
  });

  it('20 concurrent subscribers receive byte-identical data', async () => {
    const ch = fresh();
    await request('POST', ch);
    const readers = Array.from({ length: 20 }, () => openGet(ch + '/0'));
    await sleep(100);
    const payload = randomBytes(300_000);
    const post = openPost(ch + '/0');
    for (let off = 0; off < payload.length; off += 7_000) await post.write(payload.subarray(off, off + 7_000));
    post.end();
    await post.reply;
    const bodies = await Promise.all(readers.map((r) => r.done));
    for (const b of bodies) {
      assert.equal(b.status, 200);
      assert.ok(b.body.equals(payload));
    }
  });

  it('a reader that stops reading holds up neither the publisher nor the other readers', async () => {
    const ch = fresh();
    await request('POST', ch);
    // A subscriber that never consumes its body: its socket buffers fill up and stay full.
    let stalledRes: http.IncomingMessage | undefined;
    const stalledReq = http.get(ch + '/0', { agent: false }, (res) => {
      stalledRes = res;
      res.pause();
    });
    stalledReq.on('error', () => {});
    const fast = openGet(ch + '/0');
    await sleep(50);
    const payload = randomBytes(8 * 1024 * 1024);
    const post = openPost(ch + '/0');
    for (let off = 0; off < payload.length; off += 64 * 1024) await post.write(payload.subarray(off, off + 64 * 1024));
    post.end();
    assert.equal((await post.reply).status, 200);
    assert.ok((await fast.done).body.equals(payload));
    assert.ok(stalledRes, 'the stalled reader got its headers');
    // It can still catch up afterwards and gets every byte.
    const rest: Buffer[] = [];
    stalledRes.on('data', (c: Buffer) => rest.push(c));
    stalledRes.resume();
    await new Promise((r) => stalledRes!.once('end', r));
    assert.ok(Buffer.concat(rest).equals(payload));
  });

  it('HEAD on a segment answers with the GET headers and no body', async () => {
    const ch = fresh();
    await publish(ch + '/0', 'payload', { 'Content-Type': 'video/MP2T' });
    const r = await request('HEAD', ch + '/0');
    assert.equal(r.status, 200);
    assert.equal(r.headers['lp-trickle-seq'], '0');
    assert.equal(r.body.length, 0);
    assert.equal((await request('GET', ch + '/0')).text, 'payload');
  });
});
