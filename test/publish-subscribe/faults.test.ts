// Faults: a relay crash and restart mid-stream, a channel that never comes back, garbage bytes in a segment.
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Publisher } from '../../src/trickle/publisher.js';
import { spawnCli } from '../helpers/cli.js';
import { countVideoFrames, makeTsClip, tempDir } from '../helpers/media.js';
import { spawnRelayCli, startRelay, type RelayChild } from '../helpers/relay.js';
import { waitForStderr } from './waiting.js';

async function sizeOf(file: string): Promise<number> {
  return stat(file).then(
    (s) => s.size,
    () => 0,
  );
}

/** Polls until `check()` is true; fails after `ms`. */
async function until(what: string, check: () => Promise<boolean>, ms = 45_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(250);
  }
}

describe('publish / subscribe under faults', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let clip: string;
  before(async () => {
    ({ dir, cleanup } = await tempDir());
    clip = path.join(dir, 'clip.ts');
    await makeTsClip(clip, { seconds: 4, size: '320x240', rate: 30, gop: 30 });
  });
  after(() => cleanup());

  it('publish and subscribe both ride out a relay crash and restart, then end cleanly', async () => {
    let relay: RelayChild = await spawnRelayCli();
    const port = relay.port;
    const url = `${relay.url}live`;
    const out = path.join(dir, 'restart-out.ts');
    const sub = spawnCli(['subscribe', url, '--wait', '-o', out], { timeout: 120_000 });
    await waitForStderr(sub, /waiting for the channel/);
    const pub = spawnCli(['publish', url, '-i', clip, '--re', '--loop'], { timeout: 120_000 });
    try {
      await until('data before the crash', async () => (await sizeOf(out)) > 100_000);
      await relay.stop('SIGKILL');
      await delay(500);
      relay = await spawnRelayCli(['--port', String(port)]);
      const atRestart = await sizeOf(out);
      await until('data after the restart', async () => (await sizeOf(out)) > atRestart + 150_000);
      pub.kill('SIGTERM');
      const p = await pub;
      assert.equal(p.exitCode, 143, String(p.stderr));
      assert.match(String(p.stderr), /channel closed/);
      const s = await sub;
      assert.equal(s.exitCode, 0, String(s.stderr));
      assert.ok((await countVideoFrames(out)) > 60);
    } finally {
      pub.kill();
      sub.kill();
      await relay.stop();
    }
  });

  it('subscribe exits 3 with a clear message when the channel does not come back after a restart', async () => {
    let relay: RelayChild = await spawnRelayCli();
    const port = relay.port;
    const url = `${relay.url}gone`;
    const pub = new Publisher({ url, contentType: 'application/json', deleteOnClose: false });
    const sub = spawnCli(['subscribe', url, '--text', '--retry-window', '3'], { timeout: 60_000, buffer: false });
    try {
      await pub.publish('{"n":1}');
      let seen = '';
      let errors = '';
      sub.stdout!.on('data', (b: Buffer) => (seen += b.toString()));
      sub.stderr!.on('data', (b: Buffer) => (errors += b.toString()));
      await until('the first line', async () => seen.includes('{"n":1}'), 20_000);
      await pub.close(); // the publisher goes away for good, leaving the channel open
      await relay.stop('SIGKILL');
      relay = await spawnRelayCli(['--port', String(port)]);
      const s = await sub;
      assert.equal(s.exitCode, 3);
      assert.match(errors, /did not come back/);
    } finally {
      sub.kill();
      await relay.stop();
    }
  });

  it('a segment of garbage does not crash subscribe or the relay; the stream goes on', async () => {
    const relay = await startRelay();
    const url = relay.channelUrl('garbage');
    const out = path.join(dir, 'garbage-out.ts');
    const pub = new Publisher({ url });
    try {
      let seed = 11;
      const garbage = Buffer.alloc(50_000).map(() => (seed = (seed * 69069 + 1) % 2 ** 32) >>> 24);
      const sub = spawnCli(['subscribe', url, '--start', '0', '--wait', '-o', out], { timeout: 60_000 });
      await pub.publish(garbage);
      const good = await readFile(clip);
      await pub.publish(good);
      await until('both segments written', async () => (await sizeOf(out)) >= garbage.length + good.length, 30_000);
      await pub.close();
      const s = await sub;
      assert.equal(s.exitCode, 0, String(s.stderr));
      const bytes = await readFile(out);
      assert.equal(bytes.length, garbage.length + good.length);
      assert.ok(bytes.subarray(garbage.length).equals(good));
      assert.equal(await countVideoFrames(out), 120);
      // The relay is still serving.
      const next = await fetch(relay.channelUrl('after-garbage') + '/0', { method: 'POST', body: 'ok' });
      assert.equal(next.status, 200);
    } finally {
      await relay.close();
    }
  });
});
