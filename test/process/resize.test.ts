// `trickle process --resize`: an input that changes from 320x240 to 640x360 mid-stream comes out at both sizes (follow) or at the first (first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { decodeErrors } from '../helpers/media.js';
import { makeTs, probeFrameSizes } from '../helpers/media-gen.js';
import { relayAndScratch } from './fixture.js';
import { probe } from './media.js';
import { runProcessOnClip } from './run.js';

let clip: string;
const fx = relayAndScratch(async ({ dir }) => {
  // Two clips, the second's timestamps continuing the first's, as one transport stream.
  const [small, large] = [path.join(fx.dir, 'small.ts'), path.join(fx.dir, 'large.ts')];
  await makeTs(small, { size: '320x240', rate: 30, seconds: 3, extra: ['-g', '30'] });
  await makeTs(large, { size: '640x360', rate: 30, seconds: 3, extra: ['-g', '30', '-output_ts_offset', '3'] });
  clip = path.join(fx.dir, 'sizes.ts');
  await writeFile(clip, Buffer.concat([await readFile(small), await readFile(large)]));
});

/** Frame sizes of `ts` in order, as ffprobe decodes them. */
async function sizes(name: string, ts: Buffer): Promise<string[]> {
  const file = path.join(fx.dir, `${name}.ts`);
  await writeFile(file, ts);
  return probeFrameSizes(file);
}

test('--resize follow: the output changes size with the input, and every segment starts with a keyframe and decodes alone', async () => {
  const r = await runProcessOnClip({ relayUrl: fx.relay.url, name: 'follow', clip, processor: 'passthrough', args: ['--resize', 'follow', '--gop', '1'] });
  assert.equal(r.exitCode, 0, r.stderr);
  const all = await sizes('follow', r.output);
  assert.deepEqual([...new Set(all)], ['320x240', '640x360'], 'both sizes, in order');
  assert.ok(all.length >= 150, `${all.length} of 180 frames`);
  for (const [i, seg] of r.segments.entries()) {
    const p = await probe(seg);
    const v = p.streams.findIndex((s) => s.codec_type === 'video');
    assert.ok(p.packets.find((x) => x.stream === v)?.key, `segment ${i} starts with a keyframe`);
    const file = path.join(fx.dir, `follow-${i}.ts`);
    await writeFile(file, seg);
    assert.equal(await decodeErrors(file), '', `segment ${i} decodes alone`);
    assert.equal(new Set(await probeFrameSizes(file)).size, 1, `segment ${i} has one size`);
  }
});

test('--resize first (the default) keeps the first size; --resize WxH is --width/--height', async () => {
  const first = await runProcessOnClip({ relayUrl: fx.relay.url, name: 'first', clip, processor: 'passthrough' });
  assert.equal(first.exitCode, 0, first.stderr);
  assert.deepEqual([...new Set(await sizes('first', first.output))], ['320x240']);
  const fixed = await runProcessOnClip({ relayUrl: fx.relay.url, name: 'fixed', clip, processor: 'passthrough', args: ['--resize', '256x144'] });
  assert.equal(fixed.exitCode, 0, fixed.stderr);
  assert.deepEqual([...new Set(await sizes('fixed', fixed.output))], ['256x144']);
});

test('--resize WxH that disagrees with --width/--height, or a bad value, is a usage error (exit 2)', async () => {
  const urls = ['--in', `${fx.relay.url}r-in`, '--out', `${fx.relay.url}r-out`, '--processor', 'passthrough'];
  const clash = await runCli(['process', ...urls, '--resize', '256x144', '--width', '320', '--height', '240']);
  assert.equal(clash.exitCode, 2, clash.stderr);
  assert.match(clash.stderr, /--resize 256x144 and --width 320 disagree/);
  const bad = await runCli(['process', ...urls, '--resize', 'bigger']);
  assert.equal(bad.exitCode, 2, bad.stderr);
  assert.match(bad.stderr, /--resize must be first, follow or WxH \(such as 640x360\), got "bigger"/);
});
