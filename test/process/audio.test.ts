// Audio through `trickle process`: mono, stereo and 5.1 kept and in sync; VFR input keeps its timestamps.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Relay } from '../../src/relay/index.js';
import { startRelay } from '../helpers/relay.js';
import { makeClip, probe, scratch } from './media.js';
import { runProcessOnClip } from './run.js';

let relay: Relay;
let dir: string;
let cleanup: () => Promise<void>;

before(async () => {
  relay = await startRelay();
  ({ dir, cleanup } = await scratch());
});

after(async () => {
  await relay?.close();
  await cleanup?.();
});

/** First pts and span (90 kHz) of one stream kind. */
function timing(p: Awaited<ReturnType<typeof probe>>, kind: string): { first: number; last: number; count: number } {
  const idx = p.streams.findIndex((s) => s.codec_type === kind);
  const pts = p.packets.filter((x) => x.stream === idx).map((x) => x.pts);
  return { first: Math.min(...pts), last: Math.max(...pts), count: pts.length };
}

for (const channels of [1, 2, 6]) {
  test(`${channels}-channel audio comes out with its channel count, in sync with video`, async () => {
    const clip = path.join(dir, `a${channels}.ts`);
    await makeClip(clip, { width: 160, height: 120, rate: 30, seconds: 3, channels });
    const r = await runProcessOnClip({ relayUrl: relay.url, name: `aud${channels}`, clip, processor: 'audio-gain' });
    assert.equal(r.exitCode, 0, r.stderr);
    const [pin, pout] = await Promise.all([probe(clip), probe(r.output)]);
    const audio = pout.streams.find((s) => s.codec_type === 'audio');
    assert.ok(audio, 'audio stream present');
    assert.equal(audio.channels, channels);
    const [vi, ai, vo, ao] = [timing(pin, 'video'), timing(pin, 'audio'), timing(pout, 'video'), timing(pout, 'audio')];
    // A/V offset at the start is the input's, within one AAC frame (1024 samples = 1920 ticks) plus encoder priming.
    const offIn = ai.first - vi.first;
    const offOut = ao.first - vo.first;
    assert.ok(Math.abs(offOut - offIn) <= 2 * 1920 + 100, `A/V offset in ${offIn} out ${offOut}`);
    // Audio covers the same span as video (no drift, nothing lost at the end).
    assert.ok(Math.abs(ao.last - ai.last) <= 4 * 1920, `audio ends at ${ao.last} vs input ${ai.last}`);
    assert.ok(ao.count >= 0.9 * ai.count, `${ao.count} of ${ai.count} audio packets`);
  });
}

test('variable frame rate input keeps every frame timestamp', async () => {
  const clip = path.join(dir, 'vfr.ts');
  await makeClip(clip, { width: 160, height: 120, rate: 30, seconds: 3, channels: 0, vfr: true });
  const r = await runProcessOnClip({ relayUrl: relay.url, name: 'vfr', clip, processor: 'invert' });
  assert.equal(r.exitCode, 0, r.stderr);
  const [pin, pout] = await Promise.all([probe(clip), probe(r.output)]);
  const ptsIn = pin.packets.map((p) => p.pts).sort((a, b) => a - b);
  const ptsOut = pout.packets.map((p) => p.pts).sort((a, b) => a - b);
  const gaps = new Set(ptsIn.slice(1).map((p, i) => p - ptsIn[i]));
  assert.ok(gaps.size > 1, 'input really is VFR');
  assert.deepEqual(ptsOut, ptsIn);
});
