// A memory-reducing collection (V8 makes one when it judges the program idle, and when no major
// one has run for 100 s) keeps no object shape alive that no object has at that moment, and throws
// away every optimized function that met such a shape. The NUT muxer and demuxer keep their byte
// writers and readers while they live, and a PES header is made whole in one literal (whose layout
// V8 keeps with the literal), so their optimized code outlives such a collection.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { execa } from 'execa';

const moduleUrl = (path: string) => JSON.stringify(new URL(`../../src/media/${path}`, import.meta.url).href);

/**
 * Runs `perFrame` until V8 has optimized it (compiles on the main thread, so the count of frames
 * decides, not time), makes one full collection that keeps no unused shape alive
 * (--retain-maps-for-n-gc=0: what a memory-reducing collection does), then a few more frames.
 * Beside it, a control whose objects are made afresh every call (the last two kept, and let go
 * before the collection), none alive at the collection.
 * Returns the functions V8 had optimized before the collection, and those whose optimized code the
 * collection threw away ("weak objects": a shape the code depended on died).
 */
async function acrossCollection(setup: string, perFrame: string): Promise<{ optimized: Set<string>; thrownAway: Set<string> }> {
  const program = `
    ${setup}
    let sink = 0;
    const recent = [null, null];
    function perFrame(i) { ${perFrame}; }
    function runFrames(from, to) { for (let i = from; i < to; i++) perFrame(i); }
    class Transient { constructor(x) { this.x = x; this.y = x + 1; } sum() { return this.x + this.y; } }
    function control(i) { const t = new Transient(i); recent[i & 1] = t; sink += t.sum(); }
    function runControl(from, to) { for (let i = from; i < to; i++) control(i); }
    for (let k = 0; k < 200; k++) { runFrames(k * 100, k * 100 + 100); runControl(k * 100, k * 100 + 100); }
    recent.fill(null);
    console.log('--- collection');
    globalThis.gc();
    runFrames(20000, 20100);
    runControl(20000, 20100);
    console.log('--- done', sink);
  `;
  const r = await execa(
    process.execPath,
    ['--expose-gc', '--retain-maps-for-n-gc=0', '--no-concurrent-recompilation', '--trace-opt', '--trace-deopt', '--input-type=module', '-e', program],
    { reject: false, timeout: 60_000 },
  );
  assert.equal(r.exitCode, 0, r.stderr);
  const [before, rest = ''] = r.stdout.split('--- collection');
  const collection = rest.split('--- done')[0]!;
  const optimized = new Set([...before!.matchAll(/completed (?:optimizing|compiling) 0x[0-9a-f]+ <JSFunction ([^ >]+)/g)].map((m) => m[1]!));
  const thrownAway = new Set([...collection.matchAll(/<SharedFunctionInfo ([^>]*)>\) \(opt id \d+\) for deoptimization, reason: weak objects/g)].map((m) => m[1]!));
  return { optimized, thrownAway };
}

/** The control's code (its loop, which may have it inlined) was optimized and thrown away; nothing else was. */
function onlyControlThrownAway(r: { optimized: Set<string>; thrownAway: Set<string> }, optimizedFirst: string[]): void {
  const list = (names: Set<string>) => [...names].join(' ');
  for (const name of optimizedFirst) assert.ok(r.optimized.has(name), `${name} not optimized before the collection: ${list(r.optimized)}`);
  assert.ok(r.thrownAway.has('control') || r.thrownAway.has('runControl'), `the control kept its code: ${list(r.thrownAway)}`);
  const others = [...r.thrownAway].filter((n) => n !== 'control' && n !== 'runControl');
  assert.deepEqual(others, [], `thrown away besides the control: ${others.join(' ')}`);
}

describe('optimized per-frame code across a memory-reducing collection', () => {
  it("the NUT muxer's frame headers and the demuxer's packet parsing keep their optimized code", async () => {
    const r = await acrossCollection(
      `
      const { NutMuxer } = await import(${moduleUrl('nut/muxer.js')});
      const { NutDemuxer } = await import(${moduleUrl('nut/demuxer.js')});
      const mux = new NutMuxer([{ kind: 'video', width: 16, height: 16, fourcc: 'H264' }]);
      const demux = new NutDemuxer();
      demux.push(mux.header());
      const data = new Uint8Array(200).fill(7);
      `,
      `
      for (const p of demux.push(mux.frameHeader(0, i * 3000, data.length, i % 30 === 0))) sink += p.pts;
      for (const p of demux.push(data)) sink += p.data.length;
      `,
    );
    onlyControlThrownAway(r, ['frameHeader', 'frame', 'runFrames', 'runControl']);
  });

  it('a PES header read keeps its optimized code', async () => {
    const r = await acrossCollection(
      `
      const { readPesHeader } = await import(${moduleUrl('ts/pes.js')});
      // A video PES header with a pts (flags '10', header data length 5).
      const pes = new Uint8Array([0, 0, 1, 0xe0, 0, 0, 0x80, 0x80, 5, 0x21, 0, 1, 0, 1, 9, 9]);
      `,
      // The headers escape (as a demuxer's do, held while their PES is assembled) and are let go before the collection.
      `const h = readPesHeader(pes, pes.length); recent[i & 1] = h; sink += h.pts`,
    );
    onlyControlThrownAway(r, ['runFrames', 'runControl']);
  });
});
