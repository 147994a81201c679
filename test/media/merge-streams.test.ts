// mergeStreams: chunks of several streams in arrival order, tagged; one slow source never blocks another.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { mergeStreams } from '../../src/media/merge-streams.js';

const text = (c: Uint8Array) => Buffer.from(c).toString();

describe('mergeStreams', () => {
  it('yields each chunk as it arrives, tagged with its source, and ends after every source ended', async () => {
    const a = new PassThrough();
    const b = new PassThrough();
    const got: string[] = [];
    const reading = (async () => {
      for await (const { source, chunk } of mergeStreams([a, b])) got.push(`${source}:${text(chunk)}`);
    })();
    a.write('a1');
    await new Promise((r) => setTimeout(r, 20));
    b.write('b1'); // `a` stays silent: b's chunk still comes through
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got, ['0:a1', '1:b1']);
    b.end();
    a.end('a2');
    await reading;
    assert.deepEqual(got, ['0:a1', '1:b1', '0:a2']);
  });

  it('ends with the error of a failing source and destroys the others', async () => {
    const a = new PassThrough();
    const b = new PassThrough();
    const reading = (async () => {
      for await (const _ of mergeStreams([a, b])) void _;
    })();
    a.destroy(new Error('boom'));
    await assert.rejects(reading, /boom/);
    assert.equal(b.destroyed, true);
  });
});
