// `trickle process` through an input that pauses: the stream survives (the last frame repeated meanwhile) and resumes; the input timeout ends it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { Relay } from '../../src/relay/index.js';
import { Publisher } from '../../src/trickle/publisher.js';
import { Subscriber } from '../../src/trickle/subscriber.js';
import { publishTs } from '../../src/trickle/ts-publish.js';
import { waitForChannel } from '../../src/pipeline/wait-channel.js';
import { spawnCli } from '../helpers/cli.js';
import { channelStatus, watchEvents } from '../helpers/events.js';
import { startRelay } from '../helpers/relay.js';
import { decodeErrors } from '../helpers/media.js';
import { makeClip, probe, scratch } from './media.js';

let relay: Relay;
let dir: string;
let cleanup: () => Promise<void>;
let first: string;
let resumed: string;

before(async () => {
  relay = await startRelay();
  ({ dir, cleanup } = await scratch());
  first = path.join(dir, 'first.ts');
  resumed = path.join(dir, 'resumed.ts');
  await makeClip(first, { width: 160, height: 120, rate: 30, seconds: 4, channels: 1 });
  await makeClip(resumed, { width: 160, height: 120, rate: 30, seconds: 4, channels: 1 });
  // The second part's timestamps went on with the clock through the pause (20 s, and two seconds for
  // starting the publishers and a busy machine), as a live source's do: it starts at 27.4 s. Repeated
  // frames trail the clock by a second, so the resumed ones come after them.
  await execa('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', resumed, '-c', 'copy', '-output_ts_offset', '26', '-f', 'mpegts', `${resumed}.late.ts`]);
});

after(async () => {
  await relay?.close();
  await cleanup?.();
});

/** Publishes `file` in real time into `publisher`'s channel, timestamps as they are; the channel stays open. */
async function feed(publisher: Publisher, file: string): Promise<void> {
  const ff = execa('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-copyts', '-i', file, '-map', '0', '-c', 'copy', '-f', 'mpegts', 'pipe:1'], {
    buffer: false,
    encoding: 'buffer',
  });
  await publishTs(ff.stdout as AsyncIterable<Uint8Array>, publisher);
  await ff;
}

/** Every segment of `url` with the time it was complete, until end of stream. */
async function timedSegments(url: string): Promise<{ at: number; bytes: Buffer }[]> {
  const out: { at: number; bytes: Buffer }[] = [];
  await waitForChannel(url);
  const sub = new Subscriber({ url, start: 0 });
  try {
    for (;;) {
      const seg = await sub.next().catch(() => null);
      if (!seg) return out;
      const parts: Buffer[] = [];
      for await (const c of seg.body as AsyncIterable<Buffer>) parts.push(Buffer.from(c));
      out.push({ at: Date.now(), bytes: Buffer.concat(parts) });
    }
  } finally {
    await sub.close();
  }
}

// passthrough has no video() hook (its video is transcoded in one ffmpeg child, and the picture to
// repeat is decoded from the last GOP when the input stalls); grayscale gets every frame.
for (const [processor, path_] of [['passthrough', 'transcoded'], ['grayscale', 'decoded to frames']] as const) {
  test(`a 20 s input pause (${processor}, video ${path_}): the last frame is repeated meanwhile, the stream survives and the output resumes with the input`, async () => {
    const url = (c: string) => `${relay.url}pause-${processor}-${c}`;
    const child = spawnCli(['process', '--in', url('in'), '--out', url('out'), '--processor', processor, '--wait', '--stats-interval', '1'], { timeout: 120_000 });
    const publisher = new Publisher({ url: url('in') });
    try {
      const out = timedSegments(url('out'));
      await feed(publisher, first);
      const pausedAt = Date.now();
      await new Promise((r) => setTimeout(r, 20_000));
      const resumedAt = Date.now();
      await feed(publisher, `${resumed}.late.ts`);
      await publisher.close();
      const r = await child;
      assert.equal(r.exitCode, 0, String(r.stderr));
      const segments = await out;
      // A repeated frame every 1/30 s from 2 s into the pause: segments (one a 2 s GOP) keep coming.
      const during = segments.filter((s) => s.at > pausedAt + 4000 && s.at < resumedAt);
      assert.ok(during.length >= 5, `${during.length} output segments during the pause`);
      const all = Buffer.concat(segments.map((s) => s.bytes));
      const file = path.join(dir, `pause-${processor}-out.ts`);
      await writeFile(file, all);
      assert.equal(await decodeErrors(file), '', 'the output decodes cleanly');
      const { streams, packets } = await probe(all);
      const v = streams.findIndex((s) => s.codec_type === 'video');
      const video = packets.filter((p) => p.stream === v).map((p) => p.pts);
      assert.ok(video.every((p, i) => i === 0 || p > video[i - 1]!), `video timestamps only go forward: ${video.filter((p, i) => i > 0 && p <= video[i - 1]!).slice(0, 5).map((p) => [p, video[video.indexOf(p) - 1]]).join(' ')}`);
      const afterPause = video.filter((p) => p >= 26 * 90_000);
      assert.ok(afterPause.length >= 100, `${afterPause.length} frames of the resumed input`);
      const stats = String(r.stderr).split('\n').filter((l) => l.startsWith('{"type":"stats"')).map((l) => JSON.parse(l) as Record<string, number>);
      const last = stats.at(-1)!;
      assert.ok(last.framesRepeated >= 200, `${last.framesRepeated} frames repeated`);
      assert.ok(last.framesOut >= 220, `${last.framesOut} of 240 input frames out`);
      if (processor === 'passthrough') assert.match(String(r.stderr), /input resumed at a keyframe: video is transcoded in one ffmpeg child again/);
    } finally {
      child.kill('SIGKILL');
      await publisher.close();
    }
  });
}

test('--input-timeout: an input silent for longer ends the stream with exit 3 and says why', async () => {
  const url = (c: string) => `${relay.url}quiet-${c}`;
  const child = spawnCli(['process', '--in', url('in'), '--out', url('out'), '--events', url('ev'), '--processor', 'passthrough', '--wait', '--input-timeout', '4'], {
    timeout: 60_000,
  });
  const watch = watchEvents(url('ev'));
  const publisher = new Publisher({ url: url('in') });
  try {
    await feed(publisher, first);
    const quietSince = Date.now();
    const r = await child;
    const took = Date.now() - quietSince;
    assert.equal(r.exitCode, 3, String(r.stderr));
    assert.match(String(r.stderr), /no input for [4-9] s \(--input-timeout 4 s\): the input channel is there but nothing new was published to it/);
    assert.ok(took >= 3000 && took < 15_000, `ended ${took} ms after the input went quiet`);
    await watch.ended;
    const fatal = watch.events.find((e) => e.event.type === 'error' && e.event.fatal === true);
    assert.match(String(fatal?.event.message), /limits\.inputTimeout 4 s/);
    assert.equal(watch.events.at(-1)?.event.type, 'stream_stopped');
    assert.equal(await channelStatus(url('out')), 404, 'output channel closed');
  } finally {
    child.kill('SIGKILL');
    await watch.close();
    await publisher.close();
  }
});
