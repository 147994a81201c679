// Control, events and data channels of `trickle process`: live params, PyTrickle envelopes, JSONL batches.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Relay } from '../../src/relay/index.js';
import { Publisher } from '../../src/trickle/publisher.js';
import { startRelay } from '../helpers/relay.js';
import { average, captureSegments, frameMeans, makeClip, scratch, waitForSegments } from './media.js';
import { runProcessOnClip } from './run.js';

let relay: Relay;
let dir: string;
let cleanup: () => Promise<void>;
let clip: string;

before(async () => {
  relay = await startRelay();
  ({ dir, cleanup } = await scratch());
  clip = path.join(dir, 'in.ts');
  await makeClip(clip, { width: 160, height: 120, rate: 30, seconds: 5, channels: 1, color: 'gray' });
});

after(async () => {
  await relay?.close();
  await cleanup?.();
});

type Envelope = { event: Record<string, unknown> & { type: string; timestamp: number }; queue_event_type: string };

test('a control message changes the output mid-stream; events carry envelopes, heartbeats, status and lifecycle', async () => {
  const r = await runProcessOnClip({
    relayUrl: relay.url,
    name: 'ctl',
    clip,
    processor: 'red-tint',
    args: ['--param', 'intensity=0', '--control', `${relay.url}ctl-control`],
    withEvents: true,
    during: async ({ control }) => {
      const pub = new Publisher({ url: control, contentType: 'application/json' });
      try {
        await pub.publish('{"keep":"alive"}');
        // Once the output holds ~2 s of frames: the early frames are out, the late ones not yet.
        await waitForSegments(`${relay.url}ctl-out`, 3);
        await pub.publish('not json');
        await pub.publish(JSON.stringify({ intensity: 0.8 }));
        await pub.publish('{"keep":"alive"}');
        // Keep the channel a while: deleting it at once can drop messages the reader has not fetched yet.
        await new Promise((res) => setTimeout(res, 2000));
      } finally {
        await pub.close();
      }
    },
  });
  assert.equal(r.exitCode, 0, r.stderr);
  const input = average(await frameMeans(clip, 160, 120));
  const frames = await frameMeans(r.output, 160, 120);
  assert.ok(frames.length >= 140, `${frames.length} frames`);
  // A prefix untouched (intensity 0), then — from the update on — R up by 0.8*255 (clamped), G unchanged.
  const switchAt = frames.findIndex((f) => f.r > input.r + 100);
  const rs = frames.map((f) => Math.round(f.r)).join(' ');
  assert.ok(switchAt >= 20, `update applied after the early frames (at ${switchAt}): ${rs}`);
  assert.ok(frames.length - switchAt >= 5, `later frames tinted: ${rs}`);
  const early = average(frames.slice(0, 20));
  const late = average(frames.slice(switchAt + 2));
  assert.ok(Math.abs(early.r - input.r) < 6, `early R ${early.r.toFixed(1)} vs input ${input.r.toFixed(1)}`);
  assert.ok(late.r - input.r > 0.8 * 255 - 25 || late.r > 250, `late R ${late.r.toFixed(1)} vs input ${input.r.toFixed(1)}`);
  assert.ok(Math.abs(late.g - input.g) < 6, 'G unchanged');
  assert.match(r.stderr, /not JSON/, 'malformed control message logged');

  const events = r.events as Envelope[];
  for (const e of events) {
    assert.deepEqual(Object.keys(e).sort(), ['event', 'queue_event_type']);
    assert.equal(typeof e.event.type, 'string');
    assert.equal(typeof e.event.timestamp, 'number');
  }
  const types = events.map((e) => e.event.type);
  const beat = events.find((e) => e.event.type === 'heartbeat')!;
  assert.equal(beat.queue_event_type, 'stream_heartbeat');
  assert.deepEqual(Object.keys(beat.event.fps as object).sort(), ['egress_audio_fps', 'egress_video_fps', 'ingress_audio_fps', 'ingress_video_fps']);
  assert.equal((beat.event.urls as Record<string, string>).control, `${relay.url}ctl-control`);
  assert.ok(types.filter((t) => t === 'heartbeat').length >= 3, types.join(','));
  const status = events.filter((e) => e.event.type === 'status');
  assert.ok(status.length >= 3);
  const last = status[status.length - 1].event as Record<string, any>;
  assert.equal(last.inference_status.restart_count, 0);
  assert.equal(typeof last.inference_status.last_params_hash, 'string');
  assert.equal(typeof last.inference_status.last_params.intensity, 'number');
  for (const t of ['receive_first_ingest_segment', 'send_first_processed_segment']) {
    assert.equal(types.filter((x) => x === t).length, 1, t);
    assert.equal(events.find((e) => e.event.type === t)!.queue_event_type, 'ai_stream_events');
  }
  const updates = events.filter((e) => e.event.type === 'params_updated');
  assert.equal(updates.length, 1, 'params_updated once per update; keep-alives ignored');
  assert.equal((updates[0].event.params as Record<string, unknown>).intensity, 0.8);
  assert.equal(types[types.length - 1], 'stream_stopped');
});

test('ctx.sendData items reach the data channel as JSON-array-per-line batches', async () => {
  const proc = path.join(dir, 'data-proc.mjs');
  await writeFile(proc, 'export default { video(frame, ctx) { if (frame.pts % 3 === 0) ctx.sendData({ pts: frame.pts }); ctx.sendData("f"); } };\n');
  const dataUrl = `${relay.url}dat-data`;
  const batches = captureSegments(dataUrl);
  const r = await runProcessOnClip({ relayUrl: relay.url, name: 'dat', clip, processor: proc, args: ['--data', dataUrl] });
  assert.equal(r.exitCode, 0, r.stderr);
  const segs = await batches;
  assert.ok(segs.length >= 5, `${segs.length} batches`);
  let items = 0;
  for (const s of segs) {
    const text = s.toString('utf8');
    assert.ok(text.endsWith('\n') && text.indexOf('\n') === text.length - 1, 'one line per segment');
    const arr = JSON.parse(text) as unknown[];
    assert.ok(Array.isArray(arr));
    items += arr.filter((x) => x === 'f').length;
  }
  assert.ok(items >= 140, `${items} items`);
});
