// `trickle publish` / `trickle subscribe` as users run them: exit codes, --wait, --text, a reader that goes away.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Relay } from '../../src/relay/index.js';
import { Publisher } from '../../src/trickle/publisher.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { startRelay } from '../helpers/relay.js';
import { waitForChannelToExist, waitForStderr } from './waiting.js';

describe('trickle publish / subscribe (CLI)', () => {
  let relay: Relay;
  before(async () => {
    relay = await startRelay();
  });
  after(async () => {
    await relay.close();
  });

  it('subscribe to a missing channel exits 3 with a clear message', async () => {
    const r = await runCli(['subscribe', relay.channelUrl('missing')]);
    assert.equal(r.exitCode, 3);
    assert.match(r.stderr, /not found/);
    assert.equal(r.stdout, '');
  });

  it('subscribe --wait --text receives JSON lines published later with publish --text, then exits 0 at end of stream', async () => {
    const url = relay.channelUrl('events');
    const sub = spawnCli(['subscribe', url, '--wait', '--text'], { timeout: 60_000 });
    try {
      await waitForStderr(sub, /waiting for the channel/);
      const lines = ['{"type":"a","n":1}', '{"type":"b","n":2}', '{"type":"c","nested":{"x":[1,2]}}'];
      const pub = spawnCli(['publish', url, '--text']);
      await waitForChannelToExist(url); // the publisher is up: lines now arrive one by one
      for (const line of lines) {
        pub.stdin!.write(line + '\n');
        await delay(300);
      }
      pub.stdin!.end();
      const p = await pub;
      assert.equal(p.exitCode, 0, String(p.stderr));
      const r = await sub;
      assert.equal(r.exitCode, 0, String(r.stderr));
      const got = String(r.stdout).trim().split('\n').map((l) => JSON.parse(l) as unknown);
      assert.deepEqual(got, lines.map((l) => JSON.parse(l) as unknown));
    } finally {
      sub.kill();
    }
  });

  it('subscribe --count N stops after N segments; --start picks the first one', async () => {
    const url = relay.channelUrl('counted');
    const pub = new Publisher({ url, contentType: 'application/json' });
    try {
      for (let i = 0; i < 4; i++) await pub.publish(`{"i":${i}}\n\n`);
      const r = await runCli(['subscribe', url, '--start', '1', '--count', '2', '--text']);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(r.stdout, '{"i":1}\n{"i":2}'); // execa strips the final newline
    } finally {
      await pub.close();
    }
  });

  it('subscribe exits 0 quietly when its reader goes away (EPIPE)', async () => {
    const url = relay.channelUrl('endless');
    const pub = new Publisher({ url });
    let running = true;
    const feeding = (async () => {
      const chunk = Buffer.alloc(64 * 1024, 0x47);
      while (running) {
        const w = await pub.next();
        for (let i = 0; i < 8; i++) await w.write(chunk);
        await w.end();
        await delay(20);
      }
    })();
    const sub = spawnCli(['subscribe', url], { buffer: false });
    try {
      const stdout = sub.stdout!;
      let seen = 0;
      await new Promise<void>((resolve) => {
        stdout.on('data', (b: Buffer) => {
          seen += b.length;
          if (seen > 100_000) {
            stdout.destroy(); // like `| head -c 100000`
            resolve();
          }
        });
      });
      const r = await sub;
      assert.equal(r.exitCode, 0);
      assert.doesNotMatch(String(r.stderr ?? ''), /EPIPE|error/i);
    } finally {
      running = false;
      sub.kill();
      await feeding.catch(() => {});
      await pub.close();
    }
  });

  it('publish exits 3 when the relay does not autocreate the channel', async () => {
    const strict = await startRelay({ autocreate: false });
    try {
      const r = await runCli(['publish', strict.channelUrl('nope'), '--text'], { input: '{"a":1}\n' });
      assert.equal(r.exitCode, 3);
      assert.match(r.stderr, /channel not found/);
    } finally {
      await strict.close();
    }
  });
});
