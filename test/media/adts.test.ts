// The play time of a run of ADTS frames, read from their headers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adtsDurationTicks } from '../../src/media/ts/adts.js';
import { adtsFrame } from '../helpers/adts.js';

const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

test('ADTS frames play 1024 samples per raw data block at their header\'s rate, in 90 kHz ticks', () => {
  assert.equal(adtsDurationTicks(adtsFrame(100)), 1920); // 48 kHz
  assert.equal(adtsDurationTicks(concat(adtsFrame(100), adtsFrame(57), adtsFrame(3))), 3 * 1920);
  assert.equal(adtsDurationTicks(adtsFrame(80, 4)), Math.round((1024 * 90_000) / 44_100));
  assert.equal(adtsDurationTicks(adtsFrame(80, 3, 2)), 2 * 1920);
});

test('anything but a clean run of ADTS frames has no duration', () => {
  assert.equal(adtsDurationTicks(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])), undefined, 'no sync word');
  assert.equal(adtsDurationTicks(adtsFrame(100).subarray(0, 50)), undefined, 'truncated');
  assert.equal(adtsDurationTicks(concat(adtsFrame(10), new Uint8Array([0, 0]))), undefined, 'trailing bytes');
  assert.equal(adtsDurationTicks(concat(adtsFrame(10, 3), adtsFrame(10, 4))), undefined, 'two rates');
  assert.equal(adtsDurationTicks(new Uint8Array(0)), undefined, 'empty');
});
