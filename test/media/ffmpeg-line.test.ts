// FfmpegLine with real ffmpeg children: spare reuse by variant, output consumed child by child in order, failures, restarts, close.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FfmpegChild } from '../../src/media/ffmpeg-child.js';
import { FfmpegLine } from '../../src/media/ffmpeg-line.js';
import { RestartBudget } from '../../src/media/restart-budget.js';

/** An ffmpeg that copies raw bytes from stdin to stdout. */
const copier = (variant: string) => new FfmpegChild(['-loglevel', 'error', '-f', 'u8', '-ar', '8000', '-ac', '1', '-i', 'pipe:0', '-f', 'u8', 'pipe:1'], { name: `copier ${variant}` });

function line(opts: { fail?: boolean; budget?: RestartBudget } = {}) {
  const spawned: string[] = [];
  const output: string[] = [];
  const failures: Error[] = [];
  const replaced: FfmpegChild[] = [];
  const l = new FfmpegLine<string>(
    {
      spawn: (variant) => {
        spawned.push(variant);
        return copier(variant);
      },
      pump: async (child) => {
        for await (const chunk of child.stdout) output.push(Buffer.from(chunk as Uint8Array).toString('latin1'));
        if (opts.fail) throw new Error('child failed');
        const failure = child.failure(await child.exited);
        if (failure) throw failure;
      },
      failed: (err) => failures.push(err),
      replaced: (child) => replaced.push(child),
    },
    opts.budget,
  );
  return { l, spawned, output, failures, replaced };
}

/** Kills `child` with `signal` and waits until it has exited. */
async function kill(child: FfmpegChild, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  const pid = (child as unknown as { proc: { pid: number } }).proc.pid;
  process.kill(pid, signal);
  await child.exited;
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

  it('replaces a child that dies under the budget: the owner hears it once, a failed write is forgiven, output goes on in order', async () => {
    const budget = new RestartBudget({ max: 1 });
    const { l, output, failures, replaced } = line({ budget });
    const first = l.start('a');
    await first.write(Buffer.alloc(10, 'A'));
    await kill(first);
    assert.deepEqual(replaced, [first]);
    assert.equal(l.child, undefined, 'the next input starts a fresh child');
    assert.equal(budget.restarts, 1);
    l.lost(first, new Error('EPIPE')); // forgiven: it was replaced
    const second = l.start('a');
    await second.write(Buffer.alloc(5, 'B'));
    await l.finish();
    assert.match(output.join(''), /^A*B{5}$/, 'what the dead child wrote (if anything), then the new one');
    assert.deepEqual(failures, []);
    await l.close();
  });

  it('past the budget the death fails the line with the budget\'s message, and a write to it throws the same', async () => {
    const { l, failures } = line({ budget: new RestartBudget({ max: 0 }) });
    const child = l.start('a');
    await child.write(Buffer.from('x'));
    await kill(child);
    await assert.rejects(l.pumped, /^TrickleError: ffmpeg copier a died 1 time within 120 s, over the restart budget of 0 per 120 s \(last: was killed by SIGKILL\)/);
    assert.throws(() => l.lost(child, new Error('EPIPE')), /over the restart budget/);
    assert.equal(failures.length, 1);
    await l.close();
  });

  it('a spare that dies counts against the budget and is replaced by a fresh spare', async () => {
    const budget = new RestartBudget({ max: 1 });
    const { l, spawned, output, failures } = line({ budget });
    const spareOf = () => (l as unknown as { spare?: { child: FfmpegChild } }).spare?.child;
    l.warm('a');
    const spare = spareOf()!;
    await kill(spare);
    assert.equal(budget.restarts, 1);
    assert.ok(spareOf() && spareOf() !== spare, 'a fresh spare');
    const child = l.start('a');
    assert.notEqual(child, spare);
    assert.deepEqual(spawned, ['a', 'a']);
    await child.write(Buffer.from('ok'));
    await l.finish();
    assert.equal(output.join(''), 'ok');
    l.warm('b');
    await kill(spareOf()!);
    assert.match(String(failures[0]), /over the restart budget of 1 per 120 s/);
    await l.close();
  });

  it('without a budget the first death fails the line as it is', async () => {
    const { l } = line();
    const child = l.start('a');
    await kill(child, 'SIGTERM');
    await assert.rejects(l.pumped, /ffmpeg copier a was killed by SIGTERM/);
    await l.close();
  });
});
