// `trickle process` lifecycle: input deleted mid-stream, input missing, bad flags, SIGTERM.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Relay } from '../../src/relay/index.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { startRelay } from '../helpers/relay.js';
import { captureSegments, makeClip, publishFile, scratch, waitForSegments } from './media.js';

let relay: Relay;
let dir: string;
let cleanup: () => Promise<void>;

before(async () => {
  relay = await startRelay();
  ({ dir, cleanup } = await scratch());
});

after(async () => {
  await relay?.close();
  await cleanup?.();
});

test('deleting the input channel mid-stream ends process with exit 0 and end of stream on the output', async () => {
  const long = path.join(dir, 'long.ts');
  await makeClip(long, { width: 160, height: 120, rate: 30, seconds: 20, channels: 0 });
  const child = spawnCli(['process', '--in', `${relay.url}del-in`, '--out', `${relay.url}del-out`, '--processor', 'passthrough', '--wait'], { timeout: 90_000 });
  try {
    const out = captureSegments(`${relay.url}del-out`);
    const publishing = publishFile(`${relay.url}del-in`, long, { re: true, keepOpen: true }).catch(() => undefined);
    await waitForSegments(`${relay.url}del-out`, 2);
    const res = await fetch(`${relay.url}del-in`, { method: 'DELETE' });
    assert.equal(res.status, 200);
    const r = await child;
    assert.equal(r.exitCode, 0, String(r.stderr));
    const segs = await out; // resolves only at end of stream
    assert.ok(segs.length >= 1);
    await publishing;
  } finally {
    child.kill();
  }
});

test('a missing input channel is exit 3; bad flags are exit 2', async () => {
  const r = await runCli(['process', '--in', `${relay.url}nope-in`, '--out', `${relay.url}nope-out`, '--processor', 'passthrough']);
  assert.equal(r.exitCode, 3, r.stderr);
  assert.match(r.stderr, /not found/);
  assert.equal((await runCli(['process', '--in', `${relay.url}a`, '--out', `${relay.url}b`, '--processor', 'no-such-thing'])).exitCode, 2);
  assert.equal((await runCli(['process', '--in', `${relay.url}a`, '--out', `${relay.url}b`, '--processor', 'red-tint', '--param', 'intensity=x'])).exitCode, 2);
  assert.equal((await runCli(['process', '--out', `${relay.url}b`, '--processor', 'red-tint'])).exitCode, 2);
});

test('SIGTERM stops gracefully: exit 143, end of stream on the output', async () => {
  const long = path.join(dir, 'long2.ts');
  await makeClip(long, { width: 160, height: 120, rate: 30, seconds: 20, channels: 1 });
  const child = spawnCli(['process', '--in', `${relay.url}sig-in`, '--out', `${relay.url}sig-out`, '--processor', 'red-tint', '--wait'], { timeout: 90_000, forceKillAfterDelay: 30_000 });
  const abort = new AbortController();
  try {
    const out = captureSegments(`${relay.url}sig-out`);
    const publishing = publishFile(`${relay.url}sig-in`, long, { re: true }).catch(() => undefined);
    await waitForSegments(`${relay.url}sig-out`, 2);
    child.kill('SIGTERM');
    const r = await child;
    assert.equal(r.exitCode ?? r.signal, 143, String(r.stderr));
    const segs = await out;
    assert.ok(segs.length >= 1);
    await fetch(`${relay.url}sig-in`, { method: 'DELETE' }).catch(() => undefined);
    await publishing;
  } finally {
    abort.abort();
    child.kill('SIGKILL');
  }
});
