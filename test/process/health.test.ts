// `trickle process`: each health state reached on purpose and seen in status events, stats lines and /metrics; the loading overlay in the decoded output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';
import type { Envelope } from '../helpers/events.js';
import { promtool } from '../helpers/promtool.js';
import { until } from '../helpers/until.js';
import { relayAndScratch } from './fixture.js';
import { makeClip, rawFrames } from './media.js';
import { runProcessOnClip } from './run.js';

const PACED = fileURLToPath(new URL('../worker/fixtures/paced.js', import.meta.url));
const HANGS = fileURLToPath(new URL('../worker/fixtures/hang-at.js', import.meta.url));

const f = relayAndScratch(async ({ dir }) => {
  await makeClip(path.join(dir, 'gray.ts'), { width: 160, height: 120, rate: 30, seconds: 9, color: 'gray', channels: 0 });
  await makeClip(path.join(dir, 'slow.ts'), { width: 160, height: 120, rate: 10, seconds: 6, channels: 0 });
  await makeClip(path.join(dir, 'long.ts'), { width: 160, height: 120, rate: 30, seconds: 12, channels: 0 });
});

type Ev = Envelope['event'];
const statuses = (events: unknown[]): Ev[] => (events as Envelope[]).map((e) => e.event).filter((e) => e.type === 'status');
const states = (events: unknown[]): string[] => statuses(events).map((e) => String(e.state));

interface StatsLine {
  health: string;
  stages: Record<string, { p50: number; p95: number }>;
}
const statsLines = (stderr: string): StatsLine[] =>
  stderr.split('\n').filter((l) => l.startsWith('{"type":"stats"')).map((l) => JSON.parse(l) as StatsLine);

/** A run with stats lines every second and the events channel captured. */
const runWatched = (name: string, clip: string, processor: string, args: string[] = [], env?: Record<string, string>, readrate?: number) =>
  runProcessOnClip({ relayUrl: f.relay.url, name, clip: path.join(f.dir, clip), processor, args: ['--stats-interval', '1', ...args], withEvents: true, env, readrate });

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const W = 160, H = 120;
/** Mean of one frame's pixels outside the rows [y0, y1). */
function meanOutside(frame: Uint8Array, y0: number, y1: number): number {
  let sum = 0, n = 0;
  for (let y = 0; y < H; y++) {
    if (y >= y0 && y < y1) continue;
    for (let i = y * W * 3; i < (y + 1) * W * 3; i++) sum += frame[i]!, n++;
  }
  return sum / n;
}
/** Pixels of row y brighter than 200 in every channel. */
function whiteInRow(frame: Uint8Array, y: number): number {
  let n = 0;
  for (let x = 0; x < W; x++) {
    const i = (y * W + x) * 3;
    if (frame[i]! > 200 && frame[i + 1]! > 200 && frame[i + 2]! > 200) n++;
  }
  return n;
}

test('load() sleeping: LOADING with the overlay (input dimmed, a white bar) in the output, then ONLINE with processed frames; OFFLINE last; /metrics on --metrics-port', async () => {
  const port = await freePort();
  let scrape = '';
  const r = await runProcessOnClip({
    relayUrl: f.relay.url,
    name: 'loading',
    clip: path.join(f.dir, 'gray.ts'),
    processor: PACED,
    args: ['--stats-interval', '1', '--metrics-port', String(port)],
    withEvents: true,
    env: { PACED_LOAD_MS: '5000' },
    during: async () => {
      // Once frames are processed the scrape shows the stream ONLINE.
      scrape = await until('an ONLINE scrape', async () => {
        const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((res) => res.text(), () => '');
        return /trickle_stream_state\{stream_id="[^"]+",state="ONLINE"\} 1/.test(text) ? text : undefined;
      }, 60_000, 200);
    },
  });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(await promtool(scrape), '');
  assert.ok(Number(/trickle_stream_frames_in_total\{[^}]*\} (\d+)/.exec(scrape)?.[1]) > 0, 'frames in counted');
  assert.match(scrape, /trickle_stream_stage_latency_seconds_count\{stream_id="[^"]+",stage="processor"\} [1-9]/);
  assert.doesNotMatch(scrape, /http:\/\/|loading-(in|out|events)/, 'no channel URL in the scrape');
  await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`), 'the metrics port closed with the stream');

  const seen = states(r.events);
  assert.equal(seen[0], 'LOADING', seen.join(','));
  assert.ok(seen.includes('ONLINE'), seen.join(','));
  assert.ok(seen.indexOf('ONLINE') > seen.lastIndexOf('LOADING'), `LOADING before ONLINE: ${seen.join(',')}`);
  assert.equal(seen.at(-1), 'OFFLINE', 'the last status after the input ended');
  assert.ok(!seen.includes('ERROR'), `no ERROR while the output waits for load(): ${seen.join(',')}`);
  const health = statsLines(r.stderr).map((l) => l.health);
  assert.ok(health.includes('LOADING') && health.includes('ONLINE'), health.join(','));

  // Gray input (128): while loading a quarter of it with a white bar two thirds down, moving; then black (processed).
  const frames = await rawFrames(r.output, W, H);
  const overlay = frames.filter((fr) => meanOutside(fr, 76, 88) > 20 && meanOutside(fr, 76, 88) < 45);
  const processed = frames.filter((fr) => meanOutside(fr, 0, 0) < 8);
  assert.ok(overlay.length >= 20, `${overlay.length} overlay frames of ${frames.length}`);
  assert.ok(overlay.filter((fr) => whiteInRow(fr, 82) >= 16).length >= overlay.length / 2, 'a white bar across row 82 in most overlay frames');
  const barAt = overlay.map((fr) => fr.subarray(82 * W * 3, 83 * W * 3).findIndex((v) => v > 200));
  assert.ok(new Set(barAt.filter((x) => x >= 0)).size >= 3, `the bar moves: ${barAt.join(',')}`);
  assert.ok(processed.length >= 30, `${processed.length} processed (black) frames`);
  const lastOverlay = frames.lastIndexOf(overlay.at(-1)!);
  assert.ok(frames.slice(lastOverlay + 1).every((fr) => meanOutside(fr, 0, 0) < 8), 'no overlay after the first processed frame');
  assert.equal(frames.slice(0, frames.indexOf(processed[0]!)).filter((fr) => meanOutside(fr, 0, 0) > 100).length, 0, 'no untouched input while loading');
});

test('input at 10 fps: DEGRADED_INPUT in status events and stats', async () => {
  const r = await runWatched('slowin', 'slow.ts', PACED);
  assert.equal(r.exitCode, 0, r.stderr);
  const seen = states(r.events);
  assert.ok(seen.includes('DEGRADED_INPUT'), seen.join(','));
  assert.ok(!seen.includes('ERROR') && !seen.includes('DEGRADED_INFERENCE'), seen.join(','));
  assert.equal(seen.at(-1), 'OFFLINE');
});

test('input made at 10 fps but arriving at 20 fps (a publisher at twice real time) is still DEGRADED_INPUT: the rate is read from the timestamps too', async () => {
  const r = await runWatched('catchup', 'slow.ts', PACED, [], undefined, 2);
  assert.equal(r.exitCode, 0, r.stderr);
  const seen = states(r.events);
  assert.ok(seen.includes('DEGRADED_INPUT'), seen.join(','));
  assert.ok(!seen.includes('ONLINE') && !seen.includes('DEGRADED_INFERENCE') && !seen.includes('ERROR'), seen.join(','));
  assert.equal(seen.at(-1), 'OFFLINE');
});

test('a processor at 150 ms a frame: DEGRADED_INFERENCE; the processor stage carries the time and the stages are ordered', async () => {
  const r = await runWatched('slowproc', 'long.ts', PACED, ['--param', 'delay_ms=150']);
  assert.equal(r.exitCode, 0, r.stderr);
  const seen = states(r.events);
  assert.ok(seen.includes('DEGRADED_INFERENCE'), seen.join(','));
  assert.ok(!seen.includes('ERROR'), seen.join(','));
  // A stats line from before the first frame reached the relay has no stage times yet (all 0).
  const last = statsLines(r.stderr).filter((l) => l.health === 'DEGRADED_INFERENCE' && l.stages?.total?.p50 > 0).at(-1)!;
  assert.ok(last, 'a DEGRADED_INFERENCE stats line with timed frames');
  const st = last.stages;
  assert.ok(st.processor.p50 >= 140 && st.processor.p50 < 1000, `processor p50 ${st.processor.p50} ms`);
  for (const s of ['decode', 'queue', 'processor', 'encode', 'publish']) {
    assert.ok(st[s]!.p50 >= 0 && st[s]!.p95 >= st[s]!.p50, `${s} ${JSON.stringify(st[s])}`);
    assert.ok(st.total.p95 >= st[s]!.p50, `total p95 ${st.total.p95} ≥ ${s} p50 ${st[s]!.p50}`);
  }
  assert.ok(st.total.p50 >= st.processor.p50, `total ${st.total.p50} ≥ processor ${st.processor.p50}`);
  // The status sent at the moment the state changed may come before any frame was timed (all 0), as above.
  const timed = (e: Record<string, unknown>) => ((e.stage_latency_ms as Record<string, { p50: number }> | undefined)?.total?.p50 ?? 0) > 0;
  const status = statuses(r.events).filter((e) => e.state === 'DEGRADED_INFERENCE' && timed(e)).at(-1);
  assert.ok(status, 'a DEGRADED_INFERENCE status event with timed frames');
  const lat = status.stage_latency_ms as Record<string, { p50: number }>;
  assert.deepEqual(Object.keys(lat).sort(), ['decode', 'encode', 'processor', 'publish', 'queue', 'total']);
  assert.ok(lat.processor!.p50 >= 140, JSON.stringify(lat));
});

test('a video() that stops returning while input flows: ERROR within 5 s (frames pass through), OFFLINE at the end', async () => {
  const r = await runWatched('stuck', 'long.ts', HANGS, ['--hang-limit', '60'], { HANG_AT: '30' });
  const seen = states(r.events);
  assert.ok(seen.includes('ONLINE'), seen.join(','));
  assert.ok(seen.indexOf('ERROR') > seen.indexOf('ONLINE'), `ONLINE, then ERROR: ${seen.join(',')}`);
  const events = (r.events as Envelope[]).map((e) => e.event);
  const hang = events.find((e) => e.type === 'hang_begins')!;
  const error = statuses(r.events).find((e) => e.state === 'ERROR')!;
  assert.ok(error.timestamp - hang.timestamp >= 4000 && error.timestamp - hang.timestamp <= 8000, `ERROR ${error.timestamp - hang.timestamp} ms after the hang`);
  assert.equal(seen.at(-1), 'OFFLINE');
});


test('--loading takes passthrough, overlay or black (TRICKLE_LOADING too); anything else is a usage error, exit 2', async () => {
  const args = ['process', '--in', `${f.relay.url}x-in`, '--out', `${f.relay.url}x-out`, '--processor', 'passthrough'];
  const flag = await runCli([...args, '--loading', 'dimmed']);
  assert.equal(flag.exitCode, 2, flag.stderr);
  assert.match(flag.stderr, /invalid value for --loading: "dimmed".*expected one of passthrough, overlay, black/s);
  const env = await runCli(args, { env: { NO_COLOR: '1', TRICKLE_LOADING: 'grey' } });
  assert.equal(env.exitCode, 2, env.stderr);
  const port = await runCli([...args, '--metrics-port', '70000']);
  assert.equal(port.exitCode, 2, port.stderr);
  assert.match(port.stderr, /--metrics-port must be between 0 and 65535/);
});
