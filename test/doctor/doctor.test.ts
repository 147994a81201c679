// `trickle doctor --json`: the report's shape, and the verdict on this machine (ffmpeg with libx264 is installed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { parseCodecList } from '../../src/doctor/ffmpeg-report.js';

test('doctor --json reports node, ffmpeg codecs, onnxruntime providers, GPUs and a verdict', async () => {
  const r = await runCli(['doctor', '--json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const j = JSON.parse(r.stdout) as Record<string, any>;
  assert.equal(j.node.version, process.versions.node);
  assert.equal(j.ffmpeg.found, true);
  assert.match(j.ffmpeg.path, /ffmpeg/);
  assert.match(j.ffmpeg.version, /^\d|^n?\d/);
  for (const k of ['libx264', 'aac', 'libopus', 'opus', 'h264_nvenc']) assert.equal(typeof j.ffmpeg.encoders[k], 'boolean', k);
  assert.equal(j.ffmpeg.encoders.libx264, true);
  assert.equal(j.ffmpeg.decoders.h264, true);
  assert.match(j.onnxruntime.version, /^\d+\.\d+/);
  const cpu = j.onnxruntime.providers.find((p: { name: string }) => p.name === 'cpu');
  assert.equal(cpu.loads, true);
  assert.ok(j.onnxruntime.providers.some((p: { name: string }) => p.name === 'cuda'));
  assert.ok(Array.isArray(j.gpus));
  assert.equal(j.ok, true);
  assert.match(j.verdict, /^ready/);
});

test('doctor with a missing ffmpeg says so and exits 1; text output has a verdict line', async () => {
  const bad = await runCli(['doctor', '--json', '--ffmpeg', '/nonexistent/ffmpeg']);
  assert.equal(bad.exitCode, 1);
  const j = JSON.parse(bad.stdout) as Record<string, any>;
  assert.equal(j.ffmpeg.found, false);
  assert.match(j.verdict, /^not ready/);
  const text = await runCli(['doctor']);
  assert.match(text.stdout, /^verdict\s+ready/m);
});

test('parseCodecList reads ffmpeg -encoders lines', () => {
  const names = parseCodecList(' V....D libx264              libx264 H.264\n A....D aac                  AAC\n ------\n');
  assert.deepEqual([...names].sort(), ['aac', 'libx264']);
});
