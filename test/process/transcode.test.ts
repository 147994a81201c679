// A processor without a video() hook: its video never leaves ffmpeg (one transcoding child per
// stream), yet the output is the one the frame path gives: every frame, its pts, the encoder's
// settings, and frames again wherever something needs them (a framerate cap, an input stall).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { mediaChildren, type MediaChild } from '../helpers/children.js';
import { decodeErrors } from '../helpers/media.js';
import { until } from '../helpers/until.js';
import { relayAndScratch } from './fixture.js';
import { captureSegments, makeClip, missingInSpan, probe, publishFile, videoPts, waitForSegments } from './media.js';
import { runProcessOnClip, type ProcessRun } from './run.js';
import { api, spawnServe } from '../worker/serve-child.js';

let clip: string;
const fx = relayAndScratch(async ({ dir }) => {
  clip = path.join(dir, 'in.ts');
  await makeClip(clip, { width: 320, height: 240, rate: 30, seconds: 6, channels: 2, gop: 1 });
});

/** Runs `processor` over the clip and lists the process's ffmpeg children once its output is under way. */
async function runAndListChildren(name: string, processor: string, args: string[] = []): Promise<{ r: ProcessRun; seen: MediaChild[] }> {
  let seen: MediaChild[] = [];
  const r = await runProcessOnClip({
    relayUrl: fx.relay.url,
    name,
    clip,
    processor,
    args,
    withEvents: true,
    during: async ({ out, pid }) => {
      await waitForSegments(out, 2);
      seen = await mediaChildren(pid);
    },
  });
  assert.equal(r.exitCode, 0, r.stderr);
  return { r, seen };
}

test('passthrough (no video hook): one ffmpeg transcoder, no video decoder or encoder; every input frame out with its pts; the encoder settings reach it', async () => {
  const { r, seen } = await runAndListChildren('direct', 'passthrough', ['--crf', '31', '--preset', 'veryfast']);
  assert.deepEqual(
    seen.map((c) => c.kind),
    ['video transcoder'],
    `children: ${seen.map((c) => c.args).join(' | ')}`,
  );
  assert.match(seen[0]!.args, /-crf 31/);
  assert.match(seen[0]!.args, /-preset veryfast/);
  assert.match(r.stderr, /no hook reads the video: it is transcoded in one ffmpeg child/);
  const file = path.join(fx.dir, 'direct.ts');
  await writeFile(file, r.output);
  assert.equal(await decodeErrors(file), '', 'the output decodes');
  const [ptsIn, ptsOut] = [await videoPts(clip), await videoPts(r.output)];
  assert.equal(missingInSpan(ptsIn, ptsOut), 0, 'no input frame missing between the first and last out');
  assert.ok(ptsOut.length >= ptsIn.length - 2, `${ptsOut.length} of ${ptsIn.length} frames out`);
  assert.ok(ptsOut.every((p) => ptsIn.includes(p)), 'every output pts is an input pts');
  // Audio is copied as it came; each segment starts with a keyframe of the 1 s output GOP.
  const p = await probe(r.output);
  assert.deepEqual(p.streams.map((s) => s.codec_type).sort(), ['audio', 'video']);
  for (const seg of r.segments) {
    const sp = await probe(seg);
    const v = sp.streams.findIndex((s) => s.codec_type === 'video');
    assert.ok(sp.packets.find((x) => x.stream === v)?.key, 'segment starts with a keyframe');
  }
  // The size events report is the transcoder's output (320x240), not the 512x512 fallback.
  const beats = (r.events as { event: { type: string; dimensions?: unknown } }[]).filter((e) => e.event.type === 'heartbeat');
  assert.ok(beats.length > 0, 'heartbeat events came');
  assert.deepEqual(beats.at(-1)!.event.dimensions, { width: 320, height: 240 });
  const summary = /input ended: .*frames (\d+)\/(\d+)/.exec(r.stderr);
  assert.ok(summary && Number(summary[1]) === ptsOut.length, `frames counted as they went through the transcoder: ${summary?.[0]}`);
});

test('a processor with a video hook still gets frames: a decoder and an encoder, no transcoder', async () => {
  const { seen } = await runAndListChildren('frames', 'grayscale');
  assert.deepEqual(seen.map((c) => c.kind).sort(), ['video decoder', 'video encoder']);
});

test('--max-framerate needs frames: a passthrough stream with a cap decodes to frames and keeps to the cap', async () => {
  const { r, seen } = await runAndListChildren('capped', 'passthrough', ['--max-framerate', '10']);
  assert.deepEqual(seen.map((c) => c.kind).sort(), ['video decoder', 'video encoder']);
  const out = await videoPts(r.output);
  const seconds = (out.at(-1)! - out[0]!) / 90_000;
  assert.ok(out.length / seconds <= 11, `${out.length} frames in ${seconds.toFixed(1)} s`);
});

test('max_framerate set live on a transcoded stream (serve): frames from the next keyframe on, at the cap', async () => {
  const serve = await spawnServe(['--processor', 'passthrough']);
  const ch = (name: string) => new URL(name, fx.relay.url).href;
  try {
    const long = path.join(fx.dir, 'long.ts');
    await makeClip(long, { width: 320, height: 240, rate: 30, seconds: 10, channels: 2, gop: 1 });
    const out = captureSegments(ch('live-out'));
    const publishing = publishFile(ch('live-in'), long, { re: true });
    await until('live-in exists', async () => ((await fetch(ch('live-in/next'))).status === 200 ? true : undefined));
    const started = await api(serve.url, '/stream/start', { body: { gateway_request_id: 'live', subscribe_url: ch('live-in'), publish_url: ch('live-out') } });
    assert.equal(started.status, 200, started.text);
    await waitForSegments(ch('live-out'), 3);
    const kinds = async () => (await mediaChildren(serve.child.pid!)).map((c) => c.kind);
    assert.deepEqual(await kinds(), ['video transcoder']);
    const updated = await api(serve.url, '/stream/params', { body: { max_framerate: 10 } });
    assert.equal(updated.status, 200, updated.text);
    const changedAt = Date.now();
    await until('a video decoder runs', async () => ((await kinds()).includes('video decoder') ? true : undefined), 10_000);
    assert.ok(Date.now() - changedAt < 3000, 'frames within a GOP (1 s) of the update, give or take start-up');
    await publishing;
    const pts = await videoPts(Buffer.concat(await out));
    // The last 3 s of input were capped: about 10 frames a second there, 30 before.
    const end = pts.at(-1)!;
    const tail = pts.filter((p) => p > end - 3 * 90_000);
    assert.ok(tail.length <= 35, `${tail.length} frames in the last 3 s (${pts.length} in all)`);
    const head = pts.filter((p) => p < pts[0]! + 2 * 90_000);
    assert.ok(head.length >= 55, `${head.length} frames in the first 2 s`);
    assert.match(serve.stderr(), /a setting needs frames: video is decoded to frames from this keyframe on/);
  } finally {
    await serve.stop();
  }
});
