// One segment judged alone: facts from the demuxer and from ffmpeg on generated media, and garbage that must not crash it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { resolveFfmpeg } from '../../src/media/ffmpeg.js';
import { analyseSegment } from '../../src/probe/analyse-segment.js';
import type { ReceivedSegment } from '../../src/probe/read-channel.js';
import { fpsFromPts, ptsDiff } from '../../src/probe/ts-facts.js';
import { makeTs, tempDir } from '../helpers/media-gen.js';

const received = (bytes: Buffer): ReceivedSegment => ({ seq: 7, bytes, missingBefore: 0, receivedAt: 0, receiveSeconds: 0, interval: null, idleBefore: null });

describe('probe: one segment', () => {
  const ffmpeg = resolveFfmpeg();
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    tmp = await tempDir('trickle-probe-');
    await Promise.all([
      makeTs(tmp.file('mono.ts'), { video: 'color=c=red:size=96x64:rate=25', seconds: 1, channels: 1, audioCodec: 'aac' }),
      makeTs(tmp.file('opus.ts'), { size: '64x48', rate: 20, seconds: 1, channels: 2, audioCodec: 'libopus' }),
    ]);
  });
  after(() => tmp.cleanup());

  it('a mono AAC segment of a flat colour: size, frames, fps, one channel, the colour', async () => {
    const s = await analyseSegment(received(await readFile(tmp.file('mono.ts'))), { ffmpeg });
    assert.equal(s.decodes, true, s.decodeError ?? '');
    assert.equal(s.seq, 7);
    assert.deepEqual([s.width, s.height, s.videoFrames, s.decodedFrames, s.fps, s.keyframeStart], [96, 64, 25, 25, 25, true]);
    assert.deepEqual(s.audio && [s.audio.codec, s.audio.channels, s.audio.sampleRate], ['aac', 1, 48000]);
    assert.ok(s.meanColor!.r > 245 && s.meanColor!.g < 10 && s.meanColor!.b < 10, JSON.stringify(s.meanColor));
    assert.ok(s.avOffsetMs !== null && Math.abs(s.avOffsetMs) < 100, String(s.avOffsetMs));
  });

  it('Opus audio is named and counted', async () => {
    const s = await analyseSegment(received(await readFile(tmp.file('opus.ts'))), { ffmpeg });
    assert.equal(s.decodes, true, s.decodeError ?? '');
    assert.deepEqual(s.audio && [s.audio.codec, s.audio.channels], ['opus', 2]);
    assert.equal(s.fps, 20);
  });

  it('garbage, an empty-looking and a truncated segment are reported, never thrown', async () => {
    const whole = await readFile(tmp.file('mono.ts'));
    for (const bytes of [randomBytes(50_000), Buffer.alloc(188 * 10, 0x47), whole.subarray(0, 188 * 3)]) {
      const s = await analyseSegment(received(bytes), { ffmpeg });
      assert.equal(s.decodes, false);
      assert.ok(s.decodeError && !s.decodeError.includes(' @ 0x'), s.decodeError ?? '');
      assert.equal(s.meanColor, null);
    }
  });

  it('PTS arithmetic survives the 33-bit wrap', () => {
    const wrap = 2 ** 33;
    assert.equal(ptsDiff(wrap - 1500, 1500), 3000);
    assert.equal(ptsDiff(1500, wrap - 1500), -3000);
    const r = fpsFromPts([wrap - 3000, wrap - 1500, 0, 1500]);
    assert.ok(r && Math.abs(r.fps - 60) < 1e-9);
    assert.equal(fpsFromPts([5]), null);
  });
});
