// HookGuard: a call past its deadline is reported slow and gone around; past the hang limit, hung; abandoned calls are forgotten.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HookGuard, type HookName } from '../../src/pipeline/hook-guard.js';

function guard(deadlineMs: number, hangLimitMs: number) {
  const seen: string[] = [];
  const g = new HookGuard({
    deadlineMs,
    hangLimitMs,
    onSlow: (hook: HookName) => seen.push(`slow ${hook}`),
    onHung: (hook: HookName) => seen.push(`hung ${hook}`),
    onLate: (hook: HookName) => seen.push(`late ${hook}`),
  });
  return { g, seen };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a call within its deadline gives its value or its error, and leaves nothing behind', async () => {
  const { g, seen } = guard(200, 1000);
  assert.deepEqual(await g.call('video', () => 7), { status: 'done', value: 7 });
  const thrown = await g.call('video', () => {
    throw new Error('boom');
  });
  assert.equal(thrown.status, 'failed');
  assert.equal(((await g.call('audio', () => Promise.reject(new Error('no')))) as { error: Error }).error.message, 'no');
  assert.equal(g.busy('video'), false);
  assert.deepEqual(seen, []);
});

test('a call past its deadline is pending (busy) until it settles late; one past the hang limit is hung', async () => {
  const { g, seen } = guard(30, 120);
  let finish!: () => void;
  const t0 = performance.now();
  const slow = await g.call('video', () => new Promise<void>((r) => (finish = r)));
  assert.equal(slow.status, 'pending');
  assert.ok(performance.now() - t0 < 100, 'answered at the deadline');
  assert.equal(g.busy('video'), true);
  finish();
  assert.equal(await (slow as { later: Promise<boolean> }).later, true);
  assert.equal(g.busy('video'), false);
  assert.deepEqual(seen, ['slow video', 'late video']);

  const hung = await g.call('audio', () => new Promise(() => {}));
  assert.equal(hung.status, 'pending');
  await sleep(150);
  assert.deepEqual(seen.slice(2), ['slow audio', 'hung audio']);
  g.abandon();
  assert.equal(await (hung as { later: Promise<boolean> }).later, false, 'abandoned');
  assert.equal(g.busy('audio'), false);
});
