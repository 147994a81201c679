// The CLI's stream commands start a major garbage collection by how full the old generation is; V8's
// default (by the young generation's size) collects the old generation again and again once the
// room left under its limit is no larger than the young generation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { startCode } from '../helpers/cli-start.js';

// The project's own count of collections by kind (what /metrics reports).
const GC_METER = new URL('../../src/metrics/gc-meter.js', import.meta.url).href;

type Start = 'trickle relay --help' | 'trickle --version' | 'the library';

/**
 * A child started the way `start` says, its live heap brought to 30 MB after a full collection,
 * allocates short-lived objects for 0.6 s (the CLI exits a second after its command is done),
 * yielding to the event loop (V8 starts marking from a task). Its old generation may reach 56 MB
 * and its young generation is 16 MB from the start, so the room left under the old generation's
 * limit (at most half the way to 56 MB) stays below the young generation's size: the state a
 * stream's worker gets into on its own. Counts the major and young collections during the churn.
 */
async function collections(start: Start): Promise<{ major: number; minor: number }> {
  const program = `
    ${startCode(start)}
    const { gcTotals } = await import(${JSON.stringify(GC_METER)});
    const gc = gcTotals();
    // Arrays of 1000 doubles, 8 KB each, up to 30 MB live.
    const live = [];
    globalThis.gc();
    const arrays = Math.max(0, Math.floor((30e6 - process.memoryUsage().heapUsed) / 8016));
    for (let i = 0; i < arrays; i++) {
      const a = new Array(1000);
      for (let k = 0; k < 1000; k++) a[k] = k + 0.5;
      live.push(a);
    }
    globalThis.gc();
    await new Promise((r) => setImmediate(r));
    const m0 = gc.count.major, n0 = gc.count.minor;
    let sink;
    const end = Date.now() + 600;
    while (Date.now() < end) {
      for (let j = 0; j < 20000; j++) sink = { j, k: [j, j] };
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setImmediate(r));
    console.log(JSON.stringify({ major: gc.count.major - m0, minor: gc.count.minor - n0, live: live.length, sink: typeof sink }));
  `;
  const flags = ['--expose-gc', '--max-old-space-size=56', '--min-semi-space-size=16'];
  const r = await execa(process.execPath, [...flags, '--input-type=module', '-e', program], { reject: false, timeout: 30_000 });
  assert.equal(r.exitCode, 0, r.stderr);
  // The last line (a command's help or version comes before it).
  const last = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(last) as { major: number; minor: number };
}

describe('when a major garbage collection starts', () => {
  it('a stream command, started as bin/trickle.js starts it, collects the young generation and seldom the old one', async () => {
    const { major, minor } = await collections('trickle relay --help');
    assert.ok(minor >= 30, `young collections: ${minor}`);
    assert.ok(major * 10 <= minor, `major ${major} against young ${minor}`);
  });

  it("with V8's default a quick command and the library collect the old generation again and again, and the young one seldom", async () => {
    for (const start of ['trickle --version', 'the library'] as const) {
      const { major, minor } = await collections(start);
      assert.ok(major >= 5, `${start}: major collections: ${major}`);
      assert.ok(major > minor, `${start}: major ${major} against young ${minor}`);
    }
  });
});
