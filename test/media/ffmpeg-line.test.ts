// FfmpegLine with real ffmpeg children: spare reuse by variant, output consumed child by child in order, failures, close.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FfmpegChild } from '../../src/media/ffmpeg-child.js';
import { FfmpegLine } from '../../src/media/ffmpeg-line.js';

/** An ffmpeg that copies raw bytes from stdin to stdout. */
const copier = (variant: string) => new FfmpegChild(['-loglevel', 'error', '-f', 'u8', '-ar', '8000', '-ac', '1', '-i', 'pipe:0', '-f', 'u8', 'pipe:1'], { name: `copier ${variant}` });

function line(opts: { fail?: boolean } = {}) {
  const spawned: string[] = [];
  const output: string[] = [];
  const failures: Error[] = [];
  const l = new FfmpegLine<string>({
    spawn: (variant) => {
      spawned.push(variant);
      return copier(variant);
    },
    pump: async (child) => {
      for await (const chunk of child.stdout) output.push(Buffer.from(chunk as Uint8Array).toString('latin1'));
      if (opts.fail) throw new Error('child failed');
    },
    failed: (err) => failures.push(err),
  });
  return { l, spawned, output, failures };
}

describe('FfmpegLine', () => {
  it('reads each child to its end before the next, even when the later child exits first', async () => {
    const { l, spawned, output } = line();
    l.warm('a');
    const first = l.start('a');
    await first.write(Buffer.alloc(40_000, 'A'));
    l.endInput();
    const second = l.start('a');
    await second.write(Buffer.alloc(100, 'B'));
    await l.finish(); // the second child may well exit before its turn: its output waits for it

    const text = output.join('');
    const runs = text.match(/A+|B+|[^AB]+/g)?.map((r) => `${r[0]}x${r.length}`);
    assert.deepEqual(runs, ['Ax40000', 'Bx100']);
    assert.deepEqual(spawned, ['a', 'a'], 'the spare took the first start');
    assert.equal(l.started, 2);
    await l.close();
  });

  it('replaces a spare of another variant and stops it', async () => {
    const { l, spawned, output } = line();
    l.warm('even');
    const child = l.start('odd');
    await child.write(Buffer.from('xyz'));
    await l.finish();
    assert.deepEqual(spawned, ['even', 'odd']);
    assert.equal(output.join(''), 'xyz');
    await l.close();
  });

  it('a failing child rejects pumped and tells the owner once; close() still ends every child', async () => {
    const { l, failures } = line({ fail: true });
    const child = l.start('a');
    await child.write(Buffer.from('x'));
    await assert.rejects(l.finish(), /child failed/);
    assert.equal(failures.length, 1);
    l.warm('b');
    await l.close();
    assert.ok(child.hasExited);
  });
});
