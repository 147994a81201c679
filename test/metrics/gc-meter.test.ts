// Collections of V8's memory reducer are counted apart from the other major collections: they are
// the ones that throw optimized code away.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constants } from 'node:perf_hooks';
import { execa } from 'execa';
import { gcKindOf } from '../../src/metrics/gc-meter.js';

const GC_METER = new URL('../../src/metrics/gc-meter.js', import.meta.url).href;

describe('garbage collections by kind', () => {
  it("a process that goes idle after its heap grew: V8's memory reducer's collections count as reducing, a forced one as major", async () => {
    // The reducer arms itself at a major collection that finds the heap grown by 10 MB or more, and
    // collects once a timer finds the program allocating little (first check 8 s later).
    const program = `
      const { gcTotals } = await import(${JSON.stringify(GC_METER)});
      const gc = gcTotals();
      let held = [];
      for (let i = 0; i < 40; i++) held.push(new Array(100_000).fill(i + 0.5));
      held = [];
      globalThis.gc();
      await new Promise((r) => setTimeout(r, 100));
      const afterForced = { ...gc.count };
      const end = Date.now() + 40_000;
      while (Date.now() < end && gc.count.reducing === 0) {
        for (let j = 0; j < 100; j++) globalThis.sink = { j };
        await new Promise((r) => setTimeout(r, 20));
      }
      console.log(JSON.stringify({ afterForced, end: gc.count, seconds: gc.seconds.reducing }));
    `;
    const r = await execa(process.execPath, ['--expose-gc', '--input-type=module', '-e', program], { reject: false, timeout: 60_000 });
    assert.equal(r.exitCode, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { afterForced: Record<string, number>; end: Record<string, number>; seconds: number };
    assert.ok(out.afterForced.major >= 1, `the forced collection: ${JSON.stringify(out.afterForced)}`);
    assert.equal(out.afterForced.reducing, 0, 'a forced collection is not the reducer');
    assert.ok(out.end.reducing >= 1, `the reducer's collections while idle: ${JSON.stringify(out.end)}`);
    assert.ok(out.seconds > 0);
  });

  it('the rule: all external memory asked for, without synchronous phantom processing, is the reducer', () => {
    const { NODE_PERFORMANCE_GC_MAJOR: MAJOR, NODE_PERFORMANCE_GC_MINOR: MINOR } = constants;
    const external = constants.NODE_PERFORMANCE_GC_FLAGS_ALL_EXTERNAL_MEMORY;
    const phantom = constants.NODE_PERFORMANCE_GC_FLAGS_SYNCHRONOUS_PHANTOM_PROCESSING;
    assert.equal(gcKindOf(MAJOR, external), 'reducing');
    // External-memory pressure asks for both.
    assert.equal(gcKindOf(MAJOR, external | phantom), 'major');
    assert.equal(gcKindOf(MAJOR, constants.NODE_PERFORMANCE_GC_FLAGS_FORCED), 'major');
    assert.equal(gcKindOf(MAJOR, constants.NODE_PERFORMANCE_GC_FLAGS_SCHEDULE_IDLE), 'major');
    assert.equal(gcKindOf(MINOR, external), 'minor');
    assert.equal(gcKindOf(99, 0), undefined);
  });
});
