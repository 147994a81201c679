// `trickle process` with troublesome processors: a slow one (drops, bounded latency) and a throwing one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Relay } from '../../src/relay/index.js';
import { startRelay } from '../helpers/relay.js';
import { frameMeans, makeClip, scratch } from './media.js';
import { runProcessOnClip } from './run.js';

let relay: Relay;
let dir: string;
let cleanup: () => Promise<void>;
let clip: string;

before(async () => {
  relay = await startRelay();
  ({ dir, cleanup } = await scratch());
  clip = path.join(dir, 'in.ts');
  await makeClip(clip, { width: 160, height: 120, rate: 30, seconds: 5, channels: 2 });
});

after(async () => {
  await relay?.close();
  await cleanup?.();
});

function statsLines(stderr: string): Record<string, number>[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{"type":"stats"'))
    .map((l) => JSON.parse(l) as Record<string, number>);
}

test('a slow processor (100 ms a frame at 30 fps) drops frames and keeps latency bounded', async () => {
  const proc = path.join(dir, 'slow.mjs');
  await writeFile(proc, 'export default { async video() { await new Promise((r) => setTimeout(r, 100)); } };\n');
  const r = await runProcessOnClip({ relayUrl: relay.url, name: 'slow', clip, processor: proc, args: ['--stats-interval', '1'] });
  assert.equal(r.exitCode, 0, r.stderr);
  const frames = (await frameMeans(r.output, 160, 120)).length;
  assert.ok(frames >= 25 && frames <= 90, `${frames} of 150 frames out (≈10 fps expected)`);
  const stats = statsLines(r.stderr);
  const last = stats[stats.length - 1];
  assert.ok(last.framesDropped > 0, 'drops counted');
  // Bounded: the decoder waits for room until the stream lags 1 s, then drops the oldest frame;
  // with the frame in the hook (100 ms), two queued and the encoder, a quiet machine settles at
  // about 1.36 s. Unbounded growth would pass 3 s by the end of a 5 s clip at a third of real time.
  assert.ok(last.latencyMs < 2000, `latency ${last.latencyMs} ms`);
});

test('a processor that throws on every 10th frame keeps the stream: all frames out, error events sent', async () => {
  const proc = path.join(dir, 'throws.mjs');
  await writeFile(proc, 'let n = 0;\nexport default { video(frame) { if (++n % 10 === 0) throw new Error("boom " + n); frame.data.fill(0); } };\n');
  const r = await runProcessOnClip({ relayUrl: relay.url, name: 'thr', clip, processor: proc, withEvents: true });
  assert.equal(r.exitCode, 0, r.stderr);
  const frames = await frameMeans(r.output, 160, 120);
  assert.ok(frames.length >= 145, `${frames.length} frames`);
  // Frames that threw were passed on unchanged (bright test pattern), the others blacked out.
  const bright = frames.filter((f) => f.r + f.g + f.b > 60).length;
  assert.ok(bright >= 10 && bright <= 20, `${bright} untouched frames`);
  const errors = (r.events as { event: { type: string; hook?: string; message?: string } }[]).filter((e) => e.event.type === 'error');
  assert.ok(errors.length >= 1, 'error events on the events channel');
  assert.equal(errors[0].event.hook, 'video');
  assert.match(errors[0].event.message ?? '', /boom/);
});


test('with --loading passthrough the output carries the input while load() runs; afterwards the processor applies', async () => {
  const proc = path.join(dir, 'slow-load.mjs');
  await writeFile(proc, 'export default { async load() { await new Promise((r) => setTimeout(r, 2500)); }, video(frame) { frame.data.fill(0); } };\n');
  const r = await runProcessOnClip({ relayUrl: relay.url, name: 'load', clip, processor: proc, args: ['--loading', 'passthrough'] });
  assert.equal(r.exitCode, 0, r.stderr);
  const frames = await frameMeans(r.output, 160, 120);
  const dark = frames.map((f) => f.r + f.g + f.b < 30);
  assert.ok(!dark[0], 'first frames passed through while loading');
  assert.ok(dark[dark.length - 1], 'last frames processed once loaded');
  assert.ok(frames.length >= 145, `${frames.length} frames`);
});

test('a load() that throws ends process with exit 1 and the reason', async () => {
  const proc = path.join(dir, 'bad-load.mjs');
  await writeFile(proc, 'export default { load() { throw new Error("weights missing"); } };\n');
  const r = await runProcessOnClip({ relayUrl: relay.url, name: 'badload', clip, processor: proc });
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /weights missing/);
});
