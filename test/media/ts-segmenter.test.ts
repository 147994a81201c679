// TsSegmenter on real ffmpeg output: keyframe cuts, PAT/PMT at every segment start, standalone decoding, garbage resync.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TsSegmenter } from '../../src/media/ts/segmenter.js';
import { countVideoFrames, firstPids, makeTsClip, tempDir, videoFrames } from '../helpers/media.js';

/** Feeds `bytes` in uneven chunks (deterministic) and returns the segments. */
function segment(bytes: Uint8Array, options = {}): { segments: Buffer[]; segmenter: TsSegmenter } {
  const segments: Buffer[] = [];
  let parts: Uint8Array[] | undefined;
  const segmenter = new TsSegmenter(
    {
      onSegmentStart: () => (parts = []),
      onData: (b) => parts!.push(Buffer.from(b)), // copy: views of a chunk must not outlive it
      onSegmentEnd: () => segments.push(Buffer.concat(parts!)),
    },
    options,
  );
  let seed = 7;
  for (let off = 0; off < bytes.length; ) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const n = 1 + (seed % 9000);
    segmenter.push(bytes.subarray(off, off + n));
    off += n;
  }
  segmenter.end();
  return { segments, segmenter };
}

describe('TsSegmenter', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let clip: Buffer;
  before(async () => {
    ({ dir, cleanup } = await tempDir());
    const file = path.join(dir, 'clip.ts');
    await makeTsClip(file, { seconds: 3, gop: 30, rate: 30, size: '160x120' });
    clip = await readFile(file);
  });
  after(() => cleanup());

  it('cuts H.264+AAC at every keyframe; each segment starts with PAT, PMT, a keyframe and decodes on its own', async () => {
    const { segments, segmenter } = segment(clip);
    assert.equal(segments.length, 3);
    assert.equal(segmenter.stats.segments, 3);
    assert.equal(segmenter.stats.garbageBytes, 0);
    let total = 0;
    for (const [i, seg] of segments.entries()) {
      assert.equal(seg.length % 188, 0);
      assert.deepEqual(firstPids(seg, 3), [0, 0x1000, 0x100], `segment ${i} starts with PAT, PMT, video`);
      assert.ok((seg[376 + 3]! & 0x20) !== 0 && (seg[376 + 5]! & 0x40) !== 0, 'the first video packet is a random access point');
      const file = path.join(dir, `seg${i}.ts`);
      await writeFile(file, seg);
      const frames = await videoFrames(file);
      assert.equal(frames.length, 30, `segment ${i} has one GOP`);
      assert.ok(frames[0]!.key && frames[0]!.type === 'I', `segment ${i} starts with a keyframe`);
      total += frames.length;
    }
    assert.equal(total, 90);
    const joined = path.join(dir, 'joined.ts');
    await writeFile(joined, Buffer.concat(segments));
    assert.equal(await countVideoFrames(joined), 90);
  });

  it('survives garbage bytes mid-stream; later segments still decode', async () => {
    let seed = 3;
    const garbage = Buffer.alloc(1000, 0).map(() => (seed = (seed * 69069 + 1) % 2 ** 32) >>> 24);
    const at = Math.floor(clip.length / 188 / 2) * 188 + 100; // mid-packet, in the middle GOP
    const damaged = Buffer.concat([clip.subarray(0, at), garbage, clip.subarray(at)]);
    const { segments, segmenter } = segment(damaged);
    assert.ok(segmenter.stats.garbageBytes >= 1000, `garbage counted (${segmenter.stats.garbageBytes})`);
    assert.equal(segments.length, 3);
    const last = path.join(dir, 'last.ts');
    await writeFile(last, segments[2]!);
    const frames = await videoFrames(last);
    assert.equal(frames.length, 30);
    assert.ok(frames[0]!.key);
  });

  it('cuts audio-only streams by time (about every 2 s)', async () => {
    const file = path.join(dir, 'audio.ts');
    const { execa } = await import('execa');
    await execa('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '5', '-c:a', 'aac', '-f', 'mpegts', file]);
    const { segments } = segment(await readFile(file));
    assert.equal(segments.length, 3);
    for (const seg of segments) assert.deepEqual(firstPids(seg, 2), [0, 0x1000]);
  });

  it('honours minSegmentMs (no cut before that much PTS time)', () => {
    const { segments } = segment(clip, { minSegmentMs: 1500 });
    assert.equal(segments.length, 2); // cuts at 0 s and 2 s; the keyframe at 1 s is too early
  });
});
