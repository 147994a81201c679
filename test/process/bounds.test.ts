// `trickle process` refuses frame sizes over its bounds and params nested too deep with exit 2, before it connects anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';

/** Nothing listens here: a refusal must come before any connection. */
const NOWHERE = 'http://127.0.0.1:9';

const run = (...args: string[]) => runCli(['process', '--in', `${NOWHERE}/in`, '--out', `${NOWHERE}/out`, '--processor', 'passthrough', ...args]);

test('frame sizes over --max-resolution or 2^25 pixels, from flags or params, are exit 2 naming the limit', async () => {
  const flags = await run('--width', '8000', '--height', '8000');
  assert.equal(flags.exitCode, 2, flags.stderr);
  assert.match(flags.stderr, /--width\/--height ask for 8000x8000, over the largest frame size 4096x4096 \(--max-resolution\)/);
  const params = await run('--params', '{"width":1000000000,"height":16}');
  assert.equal(params.exitCode, 2, params.stderr);
  assert.match(params.stderr, /--param width\/--param height ask for 1000000000x16, over the largest frame size 4096x4096 \(--max-resolution\)/);
  const pixels = await run('--max-resolution', '10000x10000', '--width', '8000', '--height', '8000');
  assert.equal(pixels.exitCode, 2, pixels.stderr);
  assert.match(pixels.stderr, /ask for 8000x8000, over the largest frame of 33554432 pixels/);
  const limit = await run('--max-resolution', 'big');
  assert.equal(limit.exitCode, 2, limit.stderr);
  assert.match(limit.stderr, /--max-resolution must be a size like 4096x4096, got "big"/);
});

test('params nested deeper than 32 levels are exit 2; a hang limit under the frame timeout too', async () => {
  let deep = '1';
  for (let i = 0; i < 5000; i++) deep = `{"a":${deep}}`;
  const r = await run('--params', deep);
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /--params nest deeper than 32 levels/);
  const limits = await run('--frame-timeout', '5', '--hang-limit', '2');
  assert.equal(limits.exitCode, 2, limits.stderr);
  assert.match(limits.stderr, /--hang-limit \(2 s\) must be at least --frame-timeout \(5 s\)/);
});
