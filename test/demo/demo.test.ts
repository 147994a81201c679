// `trickle demo` on a fresh directory: exit 0, a playable, red-tinted MPEG-TS file and the measurements printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { average, frameMeans, probe, scratch } from '../process/media.js';

test('trickle demo exits 0 and leaves a tinted, playable demo-output.ts', async () => {
  const { dir, cleanup } = await scratch();
  try {
    const r = await runCli(['demo', '--duration', '3'], { cwd: dir, timeout: 120_000 });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stderr, /frames\s+\d+ in → \d+ out/);
    assert.match(r.stderr, /latency\s+\d+ ms/);
    assert.match(r.stderr, /ffplay .*demo-output\.ts/);
    assert.match(r.stderr, /probe\s+\d+ segments: each decodes alone, each starts with a keyframe, 640x360 @ \d+\.\d fps, audio aac/);
    const file = path.join(dir, 'demo-output.ts');
    assert.ok((await stat(file)).size > 10_000);
    const p = await probe(file);
    assert.ok(p.streams.some((s) => s.codec_type === 'video' && s.width === 640 && s.height === 360));
    assert.ok(p.streams.some((s) => s.codec_type === 'audio'));
    const frames = await frameMeans(file, 640, 360);
    assert.ok(frames.length >= 80, `${frames.length} frames`);
    const m = average(frames);
    assert.ok(m.r > m.g + 20 && m.r > m.b + 20, `mean R ${m.r.toFixed(1)} G ${m.g.toFixed(1)} B ${m.b.toFixed(1)}`);
  } finally {
    await cleanup();
  }
});

test('trickle demo -o FILE with another processor writes there', async () => {
  const { dir, cleanup } = await scratch();
  try {
    const r = await runCli(['demo', '--duration', '2', '--processor', 'blue-tint', '-o', 'blue.ts'], { cwd: dir, timeout: 120_000 });
    assert.equal(r.exitCode, 0, r.stderr);
    const m = average(await frameMeans(path.join(dir, 'blue.ts'), 640, 360));
    assert.ok(m.b > m.r + 20 && m.b > m.g + 20, `mean R ${m.r.toFixed(1)} G ${m.g.toFixed(1)} B ${m.b.toFixed(1)}`);
  } finally {
    await cleanup();
  }
});

test('the verdict is the probe\'s: an output at another size than the input fails it (exit 1, named)', async () => {
  const { dir, cleanup } = await scratch();
  try {
    const fixture = fileURLToPath(new URL('./fixtures/half-size.js', import.meta.url));
    const r = await runCli(['demo', '--duration', '2', '--processor', fixture], { cwd: dir, timeout: 120_000 });
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stderr, /failed: resolution=640x360 \(320x180\)/);
  } finally {
    await cleanup();
  }
});
