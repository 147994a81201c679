// Subscriber against the real relay: start positions, 470 jumps, end of stream, 404, waiting for a channel, clean close.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { isTrickleError } from '../../src/errors.js';
import type { Relay } from '../../src/relay/index.js';
import { Publisher } from '../../src/trickle/publisher.js';
import { Subscriber } from '../../src/trickle/subscriber.js';
import type { SubscribedSegment } from '../../src/trickle/types.js';
import { startRelay } from '../helpers/relay.js';

async function text(seg: SubscribedSegment | null): Promise<string> {
  assert.ok(seg, 'expected a segment, got end of stream');
  const parts: Buffer[] = [];
  for await (const c of seg.body) parts.push(c as Buffer);
  return Buffer.concat(parts).toString();
}

async function publishAll(pub: Publisher, ...messages: string[]): Promise<void> {
  for (const m of messages) await pub.publish(m);
}

function tcpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

describe('Subscriber', () => {
  let relay: Relay;
  before(async () => {
    relay = await startRelay();
  });
  after(async () => {
    await relay.close();
  });

  it('starts at N, at -2 (the current segment) and at -1 (the next one)', async () => {
    const url = relay.channelUrl('starts');
    const pub = new Publisher({ url });
    const subs: Subscriber[] = [];
    try {
      await publishAll(pub, 's0', 's1', 's2');
      const atOne = new Subscriber({ url, start: 1 });
      const current = new Subscriber({ url });
      const nextOne = new Subscriber({ url, start: -1 });
      subs.push(atOne, current, nextOne);
      const a = await atOne.next();
      assert.equal(a?.seq, 1);
      assert.equal(await text(a), 's1');
      assert.equal(await text(await atOne.next()), 's2');
      const c = await current.next();
      assert.equal(c?.seq, 2);
      assert.equal(await text(c), 's2');
      const waiting = nextOne.next();
      await delay(100);
      await pub.publish('s3');
      const n = await waiting;
      assert.equal(n?.seq, 3);
      assert.equal(await text(n), 's3');
      assert.equal(nextOne.seq, 4);
    } finally {
      await Promise.all(subs.map((s) => s.close()));
      await pub.close();
    }
  });

  it('jumps to Lp-Trickle-Latest on 470 by itself and counts the skipped segments as gaps', async () => {
    const url = relay.channelUrl('gaps');
    const pub = new Publisher({ url });
    const sub = new Subscriber({ url, start: 0 });
    try {
      await publishAll(pub, ...Array.from({ length: 8 }, (_, i) => `m${i}`)); // the ring keeps 3..7
      const waiting = sub.next();
      await delay(100);
      await pub.publish('m8');
      const seg = await waiting;
      assert.equal(seg?.seq, 8);
      assert.equal(await text(seg), 'm8');
      assert.equal(sub.gaps, 8);
    } finally {
      await sub.close();
      await pub.close();
    }
  });

  it('returns null (end of stream) when the channel is closed, also for the preconnected GET', async () => {
    const url = relay.channelUrl('eos');
    const pub = new Publisher({ url });
    const sub = new Subscriber({ url });
    try {
      await pub.publish('only');
      assert.equal(await text(await sub.next()), 'only');
      const waiting = sub.next(); // sits on the preconnect for seq 1
      await delay(100);
      await pub.close(); // DELETE: Lp-Trickle-Closed
      assert.equal(await waiting, null);
      assert.equal(await sub.next(), null);
    } finally {
      await sub.close();
    }
  });

  it('fails with TRICKLE_STREAM_NOT_FOUND on 404', async () => {
    const sub = new Subscriber({ url: relay.channelUrl('nobody-here') });
    try {
      await assert.rejects(sub.next(), (err) => isTrickleError(err, 'TRICKLE_STREAM_NOT_FOUND'));
    } finally {
      await sub.close();
    }
  });

  it('waitForChannel polls and starts at seq 0 of a channel created later', async () => {
    const url = relay.channelUrl('later');
    const sub = new Subscriber({ url, waitForChannel: true });
    let pub: Publisher | undefined;
    try {
      const first = sub.next();
      await delay(700);
      pub = new Publisher({ url });
      await publishAll(pub, 'first', 'second');
      const seg = await first;
      assert.equal(seg?.seq, 0);
      assert.equal(await text(seg), 'first');
      assert.equal(await text(await sub.next()), 'second');
    } finally {
      await sub.close();
      await pub?.close();
    }
  });

  it('re-issues an unanswered preconnect for the same seq and still gets the segment', async () => {
    const url = relay.channelUrl('refresh');
    const pub = new Publisher({ url });
    const sub = new Subscriber({ url, start: 0, preconnectRefreshMs: 150 });
    try {
      const waiting = sub.next();
      await delay(800); // several refreshes
      await pub.publish('late');
      const seg = await waiting;
      assert.equal(seg?.seq, 0);
      assert.equal(await text(seg), 'late');
    } finally {
      await sub.close();
      await pub.close();
    }
  });

  it('skips empty segments', async () => {
    const url = relay.channelUrl('empty');
    const pub = new Publisher({ url });
    const sub = new Subscriber({ url, start: 0 });
    try {
      await publishAll(pub, '', 'after-empty');
      const seg = await sub.next();
      assert.equal(seg?.seq, 1);
      assert.equal(await text(seg), 'after-empty');
    } finally {
      await sub.close();
      await pub.close();
    }
  });

  it('close() leaves no sockets open, even with a preconnect pending', async () => {
    const url = relay.channelUrl('sockets');
    const pub = new Publisher({ url });
    await pub.publish('x');
    await delay(50);
    const baseline = tcpSockets();
    const sub = new Subscriber({ url, start: 0 });
    assert.equal(await text(await sub.next()), 'x');
    const pending = sub.next();
    await delay(100);
    assert.ok(tcpSockets() > baseline, 'the subscriber holds connections while reading');
    await sub.close();
    assert.equal(await pending, null);
    for (let i = 0; i < 40 && tcpSockets() > baseline; i++) await delay(25);
    assert.equal(tcpSockets(), baseline);
    await pub.close();
  });
});
