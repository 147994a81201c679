// Publisher against the real relay: preconnect, streaming, retries, abandoned segments, close, typed errors, sockets.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { isTrickleError } from '../../src/errors.js';
import type { Relay } from '../../src/relay/index.js';
import { Publisher } from '../../src/trickle/publisher.js';
import { Subscriber } from '../../src/trickle/subscriber.js';
import type { SubscribedSegment } from '../../src/trickle/types.js';
import { spawnRelayCli, startRelay, type RelayChild } from '../helpers/relay.js';

async function text(seg: SubscribedSegment | null): Promise<string> {
  assert.ok(seg, 'expected a segment, got end of stream');
  const parts: Buffer[] = [];
  for await (const c of seg.body) parts.push(c as Buffer);
  return Buffer.concat(parts).toString();
}

async function http(method: string, url: string): Promise<{ status: number; body: string }> {
  const r = await fetch(url, { method });
  return { status: r.status, body: await r.text() };
}

function tcpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

describe('Publisher', () => {
  let relay: Relay;
  before(async () => {
    relay = await startRelay({ continueIntervalMs: 100 });
  });
  after(async () => {
    await relay.close();
  });

  it('opens POST /0 at once and always holds the POST for the next seq open', async () => {
    const url = relay.channelUrl('preconnect');
    const pub = new Publisher({ url });
    try {
      await delay(150);
      // Nothing written yet, but the preconnected POST /0 already autocreated the channel.
      assert.deepEqual(await http('GET', `${url}/next`), { status: 200, body: '0' });
      const sub = new Subscriber({ url, start: 0 });
      const w0 = await pub.next();
      assert.equal(w0.seq, 0);
      await w0.write(Buffer.from('part-one;'));
      const reading = sub.next();
      const seg0 = await reading; // bytes arrive while the POST is still open
      assert.equal(seg0?.seq, 0);
      await delay(100);
      // While 0 is written, POST /1 is open on the relay (the slot exists), /2 is not.
      assert.equal((await http('DELETE', `${url}/2`)).status, 400);
      await w0.write(Buffer.from('part-two'));
      await w0.end();
      assert.equal(await text(seg0), 'part-one;part-two');
      assert.equal((await http('DELETE', `${url}/1`)).status, 200);
      await delay(100);
      // Segment 1 was closed under the publisher's feet: it is given up, segment 2 still publishes.
      const w1 = await pub.next();
      await w1.write(Buffer.from('lost'));
      await w1.end();
      await pub.publish('two');
      assert.equal(pub.lost, 1);
      const seg = await sub.next();
      assert.equal(seg?.seq, 2);
      assert.equal(await text(seg), 'two');
      await sub.close();
    } finally {
      await pub.close();
    }
  });

  it('tolerates repeated 100 Continue on an idle preconnected POST', async () => {
    const url = relay.channelUrl('continue');
    const pub = new Publisher({ url });
    const sub = new Subscriber({ url, start: 0 });
    try {
      await delay(550); // the relay sends 100 Continue every 100 ms here
      await pub.publish('after-continues');
      assert.equal(await text(await sub.next()), 'after-continues');
    } finally {
      await sub.close();
      await pub.close();
    }
  });

  it('close() DELETEs the channel (end of stream for readers); deleteOnClose:false keeps it', async () => {
    const url = relay.channelUrl('closing');
    const pub = new Publisher({ url });
    await pub.publish('a');
    await pub.close();
    assert.equal((await http('GET', `${url}/next`)).status, 404);

    const url2 = relay.channelUrl('kept');
    const pub2 = new Publisher({ url: url2, deleteOnClose: false });
    await pub2.publish('b');
    await pub2.close();
    const next = await http('GET', `${url2}/next`);
    assert.equal(next.status, 200);
    assert.equal((await http('DELETE', url2)).status, 200);
  });

  it('maps Lp-Trickle-Closed to TRICKLE_STREAM_ENDED and 404 to TRICKLE_STREAM_NOT_FOUND', async () => {
    const url = relay.channelUrl('ended');
    const pub = new Publisher({ url, deleteOnClose: false });
    await pub.publish('a');
    await delay(50);
    assert.equal((await http('DELETE', url)).status, 200); // releases our preconnect with Lp-Trickle-Closed
    await assert.rejects(pub.publish('b'), (err) => isTrickleError(err, 'TRICKLE_STREAM_ENDED'));
    await pub.close();

    const strict = await startRelay({ autocreate: false });
    const pub2 = new Publisher({ url: strict.channelUrl('missing'), deleteOnClose: false });
    try {
      await assert.rejects(pub2.publish('x'), (err) => isTrickleError(err, 'TRICKLE_STREAM_NOT_FOUND'));
    } finally {
      await pub2.close();
      await strict.close();
    }
  });

  it('abort() of a partly written segment releases its readers with what was sent', async () => {
    const url = relay.channelUrl('aborted');
    const pub = new Publisher({ url });
    const sub = new Subscriber({ url, start: 0 });
    try {
      const w = await pub.next();
      await w.write(Buffer.from('half'));
      const seg = await sub.next();
      const body = text(seg);
      await w.abort();
      assert.equal(await body, 'half');
      await pub.publish('whole');
      assert.equal(await text(await sub.next()), 'whole');
    } finally {
      await sub.close();
      await pub.close();
    }
  });

  it('retries a write that never reached the relay on the same seq, once the relay is back', async () => {
    const first = await spawnRelayCli();
    const port = first.port;
    const url = `${first.url}unsent`;
    const pub = new Publisher({ url, deleteOnClose: false, retryWindowMs: 30_000 });
    let second: RelayChild | undefined;
    try {
      await delay(300); // POST /0 is connected and waiting
      await first.stop('SIGKILL'); // ... and now broken (a crash: no Lp-Trickle-Closed), before any byte of segment 0 was sent
      const restarting = delay(300).then(async () => (second = await spawnRelayCli(['--port', String(port)])));
      await pub.publish('zero');
      await restarting;
      assert.equal(pub.lost, 0);
      const sub = new Subscriber({ url, start: 0 });
      const seg = await sub.next();
      assert.equal(seg?.seq, 0);
      assert.equal(await text(seg), 'zero');
      await sub.close();
    } finally {
      await pub.close();
      await second?.stop();
    }
  });

  it('gives up (and DELETEs) a segment that broke after bytes were sent, and moves on to the next seq', async () => {
    const first = await spawnRelayCli();
    const port = first.port;
    const url = `${first.url}half`;
    const pub = new Publisher({ url, deleteOnClose: false, retryWindowMs: 30_000 });
    let second: RelayChild | undefined;
    try {
      await delay(300);
      const w0 = await pub.next();
      await w0.write(Buffer.from('half-'));
      await delay(100);
      await first.stop('SIGKILL');
      second = await spawnRelayCli(['--port', String(port)]);
      await w0.write(Buffer.from('rest')); // the connection is gone after bytes were sent
      await w0.end();
      assert.equal(pub.lost, 1);
      const sub = new Subscriber({ url, waitForChannel: true, start: 1 });
      const got = sub.next();
      await pub.publish('one');
      const seg = await got;
      assert.equal(seg?.seq, 1);
      assert.equal(await text(seg), 'one');
      await sub.close();
    } finally {
      await pub.close();
      await second?.stop();
    }
  });

  it('close() leaves no sockets open', async () => {
    await delay(50);
    const baseline = tcpSockets();
    const pub = new Publisher({ url: relay.channelUrl('sockets') });
    await pub.publish('x');
    const w = await pub.next();
    await w.write(Buffer.from('y'));
    await w.end();
    assert.ok(tcpSockets() > baseline);
    await pub.close();
    for (let i = 0; i < 40 && tcpSockets() > baseline; i++) await delay(25);
    assert.equal(tcpSockets(), baseline);
  });
});
