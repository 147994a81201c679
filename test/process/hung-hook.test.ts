// `trickle process` with a processor whose 60th video() never settles: frames go around it at the input's rate, the hang limit ends the stream, SIGTERM stops it at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnCli } from '../helpers/cli.js';
import { channelStatus, watchEvents, type Envelope } from '../helpers/events.js';
import { relayAndScratch } from './fixture.js';
import { captureSegments, frameMeans, makeClip, probe, publishFile } from './media.js';
import { runProcessOnClip } from './run.js';

const HANGS = fileURLToPath(new URL('../worker/fixtures/hang-at.js', import.meta.url));

let clip: string;
const fx = relayAndScratch(async ({ dir }) => {
  clip = path.join(dir, 'in.ts');
  await makeClip(clip, { width: 160, height: 120, rate: 30, seconds: 16, channels: 1 });
});

type Ev = Envelope['event'];
const eventsOf = (events: unknown[]): Ev[] => (events as Envelope[]).map((e) => e.event);

/** Each output video frame's pts and whether it is bright (the test pattern passed through) rather than blacked out by the processor. */
async function framesOf(ts: Buffer): Promise<{ pts: number; bright: boolean }[]> {
  const { streams, packets } = await probe(ts);
  const v = streams.findIndex((s) => s.codec_type === 'video');
  const pts = packets.filter((p) => p.stream === v).map((p) => p.pts);
  const means = await frameMeans(ts, 160, 120);
  return means.map((m, i) => ({ pts: pts[i] ?? NaN, bright: m.r + m.g + m.b > 60 }));
}

test('a video() that never settles: frames pass through at the input rate, an error event within frame-timeout + 1 s, the hang limit ends the stream', async () => {
  const r = await runProcessOnClip({ relayUrl: fx.relay.url, name: 'hang', clip, processor: HANGS, args: ['--hang-limit', '6', '--stats-interval', '1'], withEvents: true });
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /processor hung: video\(\) has not returned for 6(\.\d)? s \(--hang-limit 6 s\)/);
  const events = eventsOf(r.events);
  const hang = events.find((e) => e.type === 'hang_begins');
  const slow = events.find((e) => e.type === 'error' && e.hook === 'video' && e.fatal === false);
  assert.ok(hang && slow, `events: ${events.map((e) => e.type).join(',')}`);
  assert.match(String(slow.message), /^video\(\) has not returned for 2(\.\d)? s; frames pass through unchanged while it is pending$/);
  assert.ok(slow.timestamp - hang.timestamp <= 3000, `error event ${slow.timestamp - hang.timestamp} ms after the hung call began`);
  const fatal = events.find((e) => e.type === 'error' && e.fatal === true);
  assert.match(String(fatal?.message), /^processor hung: video\(\) has not returned for 6(\.\d)? s \(limits\.hangLimit 6 s\)$/);
  assert.equal(events.at(-1)?.type, 'stream_stopped');

  // Before the hang frames were processed (black); from the frame timeout on they pass through (bright) at the input's 30 fps.
  const frames = await framesOf(r.output);
  const from = (hang.pts as number) + 3 * 90_000;
  const window = frames.filter((f) => f.pts >= from && f.pts < from + 2 * 90_000);
  assert.ok(window.length >= 45, `${window.length} frames in the 2 s from 3 s after the hang (30 fps in)`);
  assert.ok(window.every((f) => f.bright), 'passed through unchanged');
  const before = frames.filter((f) => f.pts < (hang.pts as number) && f.pts >= (hang.pts as number) - 90_000);
  assert.ok(before.length >= 15 && before.every((f) => !f.bright), 'processed in the second before the hang');
  const stats = r.stderr.split('\n').filter((l) => l.startsWith('{"type":"stats"')).map((l) => JSON.parse(l) as { framesErrored: number });
  assert.ok((stats.at(-1)?.framesErrored ?? 0) >= 100, `framesErrored ${stats.at(-1)?.framesErrored}`);
});

test('with start() and stop(), the first hang restarts the processor with fresh state; the second ends the stream', async () => {
  const r = await runProcessOnClip({
    relayUrl: fx.relay.url,
    name: 'restart',
    clip,
    processor: HANGS,
    args: ['--hang-limit', '3'],
    withEvents: true,
    env: { HANG_LIFECYCLE: '1' },
  });
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /processor hung: video\(\) has not returned for 3(\.\d)? s \(--hang-limit 3 s\) \(it was restarted once already\)/);
  const events = eventsOf(r.events);
  const types = events.map((e) => e.type);
  assert.equal(types.filter((t) => t === 'processor_started').length, 2, types.join(','));
  assert.ok(types.filter((t) => t === 'processor_stopped').length >= 1, 'the hung instance was stopped');
  const hangs = events.filter((e) => e.type === 'hang_begins');
  assert.equal(hangs.length, 2, 'the fresh instance counted its frames from 1 again');
  assert.ok(events.some((e) => e.type === 'error' && /restarted with fresh state/.test(String(e.message)) && e.fatal === false));
  // The restarted instance processes frames again (black) until its own 60th.
  const frames = await framesOf(r.output);
  const second = hangs[1]!.pts as number;
  const processed = frames.filter((f) => f.pts > second - 90_000 && f.pts < second);
  assert.ok(processed.length >= 15 && processed.every((f) => !f.bright), 'frames before the second hang were processed');
});

test('SIGTERM during the hang: exit 143 within 5 s, output closed, stream_stopped last and nothing posted after it', async () => {
  const url = (c: string) => `${fx.relay.url}term-${c}`;
  const child = spawnCli(['process', '--in', url('in'), '--out', url('out'), '--events', url('ev'), '--processor', HANGS, '--wait', '--hang-limit', '60'], {
    timeout: 120_000,
    env: { NO_COLOR: '1', TRICKLE_EVENT_INTERVAL_MS: '1000' },
  });
  const watch = watchEvents(url('ev'));
  try {
    const out = captureSegments(url('out'));
    const publishing = publishFile(url('in'), clip, { re: true }).catch(() => undefined);
    await watch.next('error', 60_000, (e) => e.hook === 'video' && e.fatal === false);
    const t0 = Date.now();
    child.kill('SIGTERM');
    const r = await child;
    const took = Date.now() - t0;
    assert.equal(r.exitCode ?? r.signal, 143, String(r.stderr));
    assert.ok(took < 5000, `exited ${took} ms after SIGTERM`);
    assert.ok((await out).length >= 1, 'output segments until end of stream');
    await watch.ended;
    assert.equal(watch.events.at(-1)?.event.type, 'stream_stopped');
    assert.equal(await channelStatus(url('out')), 404, 'output channel closed');
    // A heartbeat after the end would re-create the events channel (the relay autocreates).
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await channelStatus(url('ev')), 404, 'nothing posted after stream_stopped');
    await fetch(url('in'), { method: 'DELETE' }).catch(() => undefined);
    await publishing;
  } finally {
    child.kill('SIGKILL');
    await watch.close();
  }
});
