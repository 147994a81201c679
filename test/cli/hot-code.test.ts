// The CLI has V8 optimize a stream's per-frame code within its first frames; the library leaves V8's own settings alone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { buildProgram } from '../../src/cli/main.js';
import { commandOf, STREAM_COMMANDS } from '../../src/cli/start.js';
import { startCode } from '../helpers/cli-start.js';

type Start = 'trickle relay --help' | 'trickle --version' | 'main() alone' | 'the library';

/**
 * A program that starts the way `start` says (the CLI as bin/trickle.js starts it, for a stream
 * command or a quick one; the CLI's main() imported and run; the library imported), then calls a
 * frame-sized handler `calls` times. It runs under --trace-opt, which logs each function V8 marks
 * for its optimizing compiler; marking is decided by bytecode counted, not by time, so the outcome
 * is deterministic.
 */
async function markedForOptimization(start: Start, calls: number): Promise<boolean> {
  const program = `
    ${startCode(start)}
    function perFrame(bytes, state) {
      let sum = state.sum;
      for (let i = 0; i < bytes.length; i += 47) sum = (sum + bytes[i] * 31) | 0;
      state.count++;
      if (state.count % 7 === 0) state.sevens++;
      state.sum = sum;
      return sum;
    }
    const state = { sum: 0, count: 0, sevens: 0 };
    const bytes = new Uint8Array(376);
    for (let i = 0; i < ${calls}; i++) perFrame(bytes, state);
  `;
  const r = await execa(process.execPath, ['--trace-opt', '--input-type=module', '-e', program], { reject: false, timeout: 30_000 });
  assert.equal(r.exitCode, 0, r.stderr);
  return /marking .*perFrame/.test(r.stdout);
}

/**
 * A child started as a stream command runs a frame handler until V8 optimizes it, then once down a
 * path the optimized code never saw (a stream's end), which throws that code away, then `calls`
 * more frames; says how many times V8 marked the handler for optimization and whether its code was
 * thrown away. The handler carries 2.4 KB of bytecode, most of it on the rare path, like a stream's
 * loops. `v8Flags` are set after the CLI's own. Compiles run on the main thread
 * (--no-concurrent-recompilation), so that the optimized code is in place when the rare path runs:
 * marking is decided by bytecode counted, so the outcome is deterministic.
 */
async function optimizedAgainAfterDeopt(calls: number, v8Flags = ''): Promise<{ marked: number; deoptimized: boolean }> {
  const rare = Array.from({ length: 80 }, (_, k) => `state.t${k} = (state.name.length + ${k}) * sum;`).join('\n');
  const program = `
    ${startCode('trickle relay --help')}
    ${v8Flags ? `(await import('node:v8')).default.setFlagsFromString(${JSON.stringify(v8Flags)});` : ''}
    function perFrame(bytes, state) {
      let sum = state.sum;
      for (let i = 0; i < bytes.length; i += 47) sum = (sum + bytes[i] * 31) | 0;
      state.count++;
      if (state.ending) {
        ${rare}
      }
      state.sum = sum;
      return sum;
    }
    const state = { sum: 0, count: 0, ending: 1, name: 'x' };
    state.ending = 0;
    const bytes = new Uint8Array(376);
    for (let i = 0; i < 2000; i++) perFrame(bytes, state);
    state.ending = 1;
    perFrame(bytes, state);
    state.ending = 0;
    for (let i = 0; i < ${calls}; i++) perFrame(bytes, state);
  `;
  const r = await execa(process.execPath, ['--trace-opt', '--trace-deopt', '--no-concurrent-recompilation', '--input-type=module', '-e', program], { reject: false, timeout: 30_000 });
  assert.equal(r.exitCode, 0, r.stderr);
  return {
    marked: r.stdout.match(/marking 0x[0-9a-f]+ <JSFunction perFrame /g)?.length ?? 0,
    deoptimized: /bailout \(kind: deopt-eager[^\n]*<JSFunction perFrame /.test(r.stdout),
  };
}

describe('how soon V8 optimizes hot code', () => {
  it('finds the command after any options', () => {
    assert.equal(commandOf(['node', 'trickle', 'process', '--in', 'x']), 'process');
    assert.equal(commandOf(['node', 'trickle', '-V']), undefined);
    assert.equal(commandOf(['node', 'trickle', '--help', 'serve']), 'serve');
  });

  it('every command is either one that carries streams or a quick one (a new command must be placed)', () => {
    const quick = ['doctor', 'init', 'probe', 'register'];
    const names = buildProgram().commands.map((c) => c.name());
    assert.deepEqual([...names].sort(), [...STREAM_COMMANDS, ...quick].sort());
  });

  it('a stream command, started as bin/trickle.js starts it, has a handler optimized after 300 frames', async () => {
    assert.equal(await markedForOptimization('trickle relay --help', 300), true);
  });

  it('with V8 defaults it is not optimized yet after 300 frames: a quick command, main() alone and the library keep them', async () => {
    assert.equal(await markedForOptimization('trickle --version', 300), false);
    assert.equal(await markedForOptimization('main() alone', 300), false);
    assert.equal(await markedForOptimization('the library', 300), false);
  });

  it('with V8 defaults the same handler is optimized too, only later (3000 frames)', async () => {
    assert.equal(await markedForOptimization('the library', 3000), true);
  });

  it('a stream command optimizes a handler again within 1000 frames after its optimized code was thrown away', async () => {
    assert.deepEqual(await optimizedAgainAfterDeopt(1000), { marked: 2, deoptimized: true });
  });

  it("with V8's wait after optimized code (its own bytecode 500 times over) the handler is not optimized again in those 1000 frames", async () => {
    assert.deepEqual(await optimizedAgainAfterDeopt(1000, '--invocation-count-for-osr=500'), { marked: 1, deoptimized: true });
  });
});
