// Stream limits: defaults, checks with field names, and the frame-size cap (limits.maxResolution, 2^25 pixels).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFrameSize, checkLimits, DEFAULT_LIMITS, MAX_FRAME_PIXELS } from '../../src/stream/limits.js';
import { checkParamsShape, MAX_PARAMS_DEPTH } from '../../src/processor/params-shape.js';

test('limits default to a 2 s frame timeout, a 20 s hang limit, a 120 s input timeout and 4096x4096', () => {
  assert.deepEqual(checkLimits(), DEFAULT_LIMITS);
  assert.deepEqual(DEFAULT_LIMITS, { frameTimeout: 2, hangLimit: 20, inputTimeout: 120, maxResolution: { width: 4096, height: 4096 } });
  assert.deepEqual(checkLimits({ maxResolution: '1920x1080', inputTimeout: 0 }).maxResolution, { width: 1920, height: 1080 });
  assert.throws(() => checkLimits({ frameTimeout: 0 }), /limits\.frameTimeout must be a number of seconds above 0, got 0/);
  assert.throws(() => checkLimits({ inputTimeout: -1 }), /limits\.inputTimeout must be a number of seconds of at least 0/);
  assert.throws(() => checkLimits({ maxResolution: '4096' }), /limits\.maxResolution must be a size like 4096x4096/);
});

test('a frame over maxResolution or over 2^25 pixels is refused, naming the fields that asked', () => {
  const limits = checkLimits({ maxResolution: '10000x10000' });
  checkFrameSize({ width: 4096, height: 8192 }, limits, ['media.width', 'media.height']);
  assert.equal(MAX_FRAME_PIXELS, 33_554_432);
  assert.throws(() => checkFrameSize({ width: 8000, height: 8000 }, limits, ['params.width', 'params.height']), {
    code: 'TRICKLE_USAGE',
    message: 'params.width/params.height ask for 8000x8000, over the largest frame of 33554432 pixels',
  });
  assert.throws(() => checkFrameSize({ width: 10_001, height: 10 }, limits, ['media.width', 'media.height']), /over the largest frame size 10000x10000 \(limits\.maxResolution\)/);
});

test('params deeper than 32 levels, or not writable as JSON, are refused without overflowing the stack', () => {
  let ok: unknown = 1;
  for (let i = 0; i < MAX_PARAMS_DEPTH; i++) ok = [ok];
  checkParamsShape(ok);
  let deep: unknown = 1;
  for (let i = 0; i < 200_000; i++) deep = { a: deep };
  assert.throws(() => checkParamsShape(deep), /params nest deeper than 32 levels/);
  assert.throws(() => checkParamsShape({ n: 1n }), /params cannot be written as JSON/);
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  assert.throws(() => checkParamsShape(cycle), /params (nest deeper|cannot be written)/);
});
