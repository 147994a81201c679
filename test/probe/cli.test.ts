// `trickle probe` as CI runs it: the built CLI against the real relay, on good and on broken channels.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Relay } from '../../src/relay/index.js';
import type { ProbeReport } from '../../src/probe/types.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { startRelay } from '../helpers/relay.js';
import { makeClip, publishFile, scratch } from '../process/media.js';
import { cutSegments, envelope, midGop, post, watchStderr } from './media.js';

/** 0x4080c0 through yuv420p and back: within a couple of levels. */
const FLAT = { r: 64, g: 128, b: 192 };

describe('trickle probe (CLI)', () => {
  let relay: Relay;
  let cleanup: () => Promise<void>;
  /** 3 segments of 1 s: 160x120 flat colour at 30 fps, stereo AAC. */
  let good: Buffer[];
  /** 2 segments without audio. */
  let silent: Buffer[];
  /** A standalone segment that starts 1.5 s into a GOP. */
  let midGopSegment: Buffer;
  let goodFile: string;

  before(async () => {
    relay = await startRelay();
    const s = await scratch();
    cleanup = s.cleanup;
    const f = (name: string) => `${s.dir}/${name}`;
    await Promise.all([
      makeClip(f('good.ts'), { color: '0x4080c0', rate: 30, seconds: 3, gop: 1 }),
      makeClip(f('silent.ts'), { rate: 30, seconds: 2, gop: 1, channels: 0 }),
      makeClip(f('long.ts'), { rate: 30, seconds: 3, gop: 10, channels: 0 }),
    ]);
    await midGop(f('long.ts'), f('mid.ts'), 1.5);
    goodFile = f('good.ts');
    [good, silent] = await Promise.all([cutSegments(f('good.ts')), cutSegments(f('silent.ts'))]);
    // Posted as ffmpeg wrote it: a segmenter would drop everything before the next keyframe.
    midGopSegment = await readFile(f('mid.ts'));
    assert.equal(good.length, 3);
    assert.equal(silent.length, 2);
  });

  after(async () => {
    await relay.close();
    await cleanup();
  });

  async function channel(name: string, segments: (Buffer | string)[]): Promise<string> {
    const url = relay.channelUrl(name);
    for (const [seq, body] of segments.entries()) await post(url, seq, body);
    return url;
  }

  const probeJson = async (args: string[]) => {
    const r = await runCli(['probe', ...args, '--json', '--timeout', '20']);
    return { ...r, report: r.stdout ? (JSON.parse(r.stdout) as ProbeReport) : undefined };
  };

  it('a good stream: exit 0, the right facts, every assertion holds', async () => {
    const url = await channel('good', good);
    const r = await probeJson([url, '--start', '0', '--segments', '3', '--expect', 'fps>=25,keyframes,audio,resolution=160x120,gaps=0,decodes', '--expect', 'segments>=3', '--expect', 'channels=2,maxgap<=1.5']);
    assert.equal(r.exitCode, 0, r.stderr);
    const { summary, segments, expectations, ok } = r.report!;
    assert.equal(ok, true);
    assert.equal(segments.length, 3);
    assert.deepEqual(segments.map((s) => s.seq), [0, 1, 2]);
    assert.ok(Math.abs(summary.fps! - 30) < 0.5, `fps ${summary.fps}`);
    assert.equal(summary.resolution, '160x120');
    assert.deepEqual(summary.audio, { codec: 'aac', channels: 2, sampleRate: 48000 });
    assert.equal(summary.keyframes, true);
    assert.equal(summary.decodes, true);
    assert.equal(summary.gaps, 0);
    assert.equal(summary.videoFrames, 90);
    assert.equal(summary.decodedFrames, 90);
    for (const k of ['r', 'g', 'b'] as const) assert.ok(Math.abs(summary.meanColor![k] - FLAT[k]) < 4, `${k} ${summary.meanColor![k]}`);
    for (const s of segments) {
      assert.equal(s.videoFrames, 30);
      assert.equal(s.keyframeStart, true);
      assert.equal(s.bytes, good[s.seq].length);
    }
    // The field names README documents for --json: adding one is fine, renaming one breaks scripts.
    assert.deepEqual(Object.keys(r.report!).sort(), ['ended', 'events', 'expectations', 'ok', 'seconds', 'segments', 'start', 'startedAt', 'summary', 'url']);
    assert.deepEqual(Object.keys(summary).sort(), [
      'audio', 'audioSegments', 'avOffsetMs', 'bytes', 'decodedFrames', 'decodes', 'fps', 'gaps', 'keyframes', 'maxIdleSeconds', 'maxIntervalSeconds',
      'meanColor', 'minFps', 'relayJumps', 'resolution', 'resolutions', 'segments', 'videoCodec', 'videoFrames',
    ]);
    assert.deepEqual(Object.keys(segments[0]).sort(), [
      'audio', 'avOffsetMs', 'bytes', 'decodeError', 'decodedFrames', 'decodes', 'fps', 'height', 'idleBefore', 'interval', 'keyframeStart',
      'meanColor', 'missingBefore', 'receiveSeconds', 'receivedAt', 'seq', 'videoCodec', 'videoFrames', 'width',
    ]);
    assert.deepEqual(Object.keys(segments[0].audio!).sort(), ['channels', 'codec', 'packets', 'sampleRate']);
    assert.deepEqual(Object.keys(expectations[0]).sort(), ['actual', 'expectation', 'ok']);
    assert.equal(r.report!.events, null);
    assert.equal(expectations.length, 9);
    assert.ok(expectations.every((e) => e.ok), JSON.stringify(expectations));
  });

  it('--wait, the live edge and --duration: joins the segment being written, stops after the one in flight', async () => {
    const url = relay.channelUrl('live');
    const child = spawnCli(['probe', url, '--wait', '--duration', '1.5', '--json', '--timeout', '20']);
    try {
      await watchStderr(child).waitFor(/waiting for the channel/);
      const publishing = publishFile(url, goodFile, { re: true });
      const r = await child;
      await publishing;
      assert.equal(r.exitCode, 0, String(r.stderr));
      const report = JSON.parse(String(r.stdout)) as ProbeReport;
      assert.equal(report.ended, 'duration');
      assert.equal(report.start, -2);
      assert.ok(report.segments.length >= 2 && report.segments.length <= 3, String(report.segments.length));
      // Published in real time, one 1 s GOP per segment: segments arrive spread out, not as a backlog
      // (loose bounds: `ffmpeg -re` catches up in bursts on a busy machine).
      for (const s of report.segments.slice(1)) assert.ok(s.interval! > 0.3 && s.interval! < 2, JSON.stringify(report.segments.map((x) => x.interval)));
      assert.equal(report.summary.keyframes, true);
      assert.equal(report.summary.decodes, true);
    } finally {
      child.kill();
    }
  });

  it('the text report: a row per segment, the summary and the assertions', async () => {
    const url = await channel('text', good);
    const r = await runCli(['probe', url, '--start', '0', '--segments', '3', '--expect', 'keyframes', '--timeout', '20']);
    assert.equal(r.exitCode, 0, r.stderr);
    const rows = r.stdout.split('\n').filter((l) => /^\s*\d+\s+[\d.]+K/.test(l));
    assert.equal(rows.length, 3, r.stdout);
    for (const row of rows) assert.match(row, /yes\s+yes\s+30\s+30\.00\s+160x120\s+aac 2ch/);
    assert.match(r.stdout, /^expect +ok +keyframes/m);
    assert.match(r.stdout, /^mean RGB +6[2-6],12[6-9],19[0-4]$/m);
  });

  it('garbage bytes as a segment: reported as not decoding, exit 1 naming it', async () => {
    const url = await channel('garbage', [good[0], randomBytes(40_000), good[1]]);
    const r = await probeJson([url, '--start', '0', '--segments', '3', '--expect', 'decodes']);
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stderr, /expectations failed: decodes \(segment 1: /);
    const [a, b, c] = r.report!.segments;
    assert.deepEqual([a.decodes, b.decodes, c.decodes], [true, false, true]);
    assert.ok(b.decodeError);
    assert.equal(b.videoFrames, 0);
    assert.equal(r.report!.expectations[0].ok, false);
  });

  it('a segment that does not start with a keyframe: exit 1 naming keyframes and the segment', async () => {
    const url = await channel('midgop', [good[0], midGopSegment]);
    const r = await probeJson([url, '--start', '0', '--segments', '2', '--expect', 'keyframes']);
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stderr, /keyframes \(segment 1 does not start with a keyframe\)/);
    assert.deepEqual(r.report!.segments.map((s) => s.keyframeStart), [true, false]);
    assert.ok(r.report!.segments[1].videoFrames > 0);
  });

  it('missing audio with --expect audio: exit 1 naming audio', async () => {
    const url = await channel('silent', silent);
    const r = await probeJson([url, '--start', '0', '--segments', '2', '--expect', 'audio,keyframes']);
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stderr, /1 of 2 expectations failed: audio \(segments 0, 1 have no audio\)/);
    assert.equal(r.report!.summary.audio, null);
    assert.equal(r.report!.summary.audioSegments, 0);
  });

  it('a 2 s pause between segments fails maxgap<=1.5', async () => {
    const url = relay.channelUrl('pause');
    await post(url, 0, good[0]);
    const child = spawnCli(['probe', url, '--start', '0', '--segments', '3', '--expect', 'maxgap<=1.5', '--json', '--timeout', '20']);
    try {
      await watchStderr(child).waitFor(/reading/);
      await post(url, 1, good[1]);
      await new Promise((r) => setTimeout(r, 2000)); // the pause under test
      await post(url, 2, good[2]);
      const r = await child;
      assert.equal(r.exitCode, 1, String(r.stderr));
      assert.match(String(r.stderr), /maxgap<=1\.5 \([\d.]+\)/);
      const report = JSON.parse(String(r.stdout)) as ProbeReport;
      const idle = report.segments.map((s) => s.idleBefore);
      assert.equal(idle[0], null);
      // Timestamps are taken in the probe's event loop, which also starts ffmpeg: allow it a little.
      assert.ok(idle[1]! < 1 && idle[2]! > 1.5 && idle[2]! < 3, JSON.stringify(idle));
      assert.equal(report.summary.maxIdleSeconds, idle[2]);
    } finally {
      child.kill();
    }
  });

  it('--events: the states of status events are reported and can be asserted', async () => {
    const url = relay.channelUrl('ev');
    const events = relay.channelUrl('ev-events');
    await post(events, 0, envelope({ type: 'status', state: 'ONLINE' }));
    await post(url, 0, good[0]);
    const child = spawnCli(['probe', url, '--start', '0', '--segments', '2', '--events', events, '--verbose', '--json', '--timeout', '20', '--expect', 'state=ONLINE,state=DEGRADED_INPUT,state!=ERROR']);
    try {
      const stderr = watchStderr(child);
      await stderr.waitFor(/stream state.*ONLINE/);
      await post(events, 1, envelope({ type: 'heartbeat' }));
      await post(events, 2, envelope({ type: 'status', state: 'DEGRADED_INPUT' }));
      await stderr.waitFor(/stream state.*DEGRADED_INPUT/); // read in order: the heartbeat was read before it
      await post(url, 1, good[1]);
      const r = await child;
      assert.equal(r.exitCode, 0, String(r.stderr));
      const report = JSON.parse(String(r.stdout)) as ProbeReport;
      assert.deepEqual(report.events?.states, ['ONLINE', 'DEGRADED_INPUT']);
      assert.equal(report.events?.lastState, 'DEGRADED_INPUT');
      assert.equal(report.events?.types.status, 2);
      assert.equal(report.events?.types.heartbeat, 1);
      assert.deepEqual(Object.keys(report.events!).sort(), ['events', 'lastState', 'states', 'types', 'url']);
    } finally {
      child.kill();
    }
    // A later probe starts at the latest event: DEGRADED_INPUT, and no ERROR.
    const r = await probeJson([url, '--start', '0', '--segments', '1', '--events', events, '--expect', 'state=ERROR']);
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stderr, /state=ERROR \(states seen: DEGRADED_INPUT\)/);
  });

  it('a channel that does not exist: exit 3', async () => {
    const r = await runCli(['probe', relay.channelUrl('nothing-here'), '--timeout', '20']);
    assert.equal(r.exitCode, 3, r.stderr);
    assert.match(r.stderr, /not found/);
    assert.equal(r.stdout, '');
  });

  it('a malformed assertion or a bad flag: exit 2 before anything is read', async () => {
    const missing = relay.channelUrl('never-read');
    const cases = [['--expect', 'fps>>25'], ['--expect', 'keyframes,bogus'], ['--expect', 'fps'], ['--expect', 'resolution>=1280x720'], ['--expect', 'state=ONLINE'], ['--segments', '0'], ['--start', '-3']];
    const results = await Promise.all(cases.map((args) => runCli(['probe', missing, ...args])));
    results.forEach((r, i) => {
      assert.equal(r.exitCode, 2, `${cases[i].join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
    });
    assert.match(results[0].stderr, /--expect "fps>>25": >25 is not a number/);
    assert.match(results[1].stderr, /unknown key bogus/);
    assert.match(results[4].stderr, /add --events URL/);
  });
});
