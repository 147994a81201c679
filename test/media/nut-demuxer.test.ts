// NUT demuxer against what ffmpeg writes: chunk boundaries anywhere, pts, sizes and pixel bytes.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { NutDemuxer, NutFormatError, type NutPacket } from '../../src/media/nut/demuxer.js';
import { chunked, ffmpeg, tempDir } from '../helpers/media-gen.js';

describe('NutDemuxer', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let nut: Uint8Array;
  let raw: Uint8Array;

  before(async () => {
    tmp = await tempDir();
    const input = ['-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=10', '-f', 'lavfi', '-i', 'sine', '-t', '1'];
    await ffmpeg([...input, '-c:v', 'rawvideo', '-pix_fmt', 'rgb24', '-c:a', 'pcm_f32le', '-f', 'nut', tmp.file('a.nut')]);
    await ffmpeg([...input, '-map', '0:v', '-pix_fmt', 'rgb24', '-f', 'rawvideo', tmp.file('a.rgb')]);
    nut = await readFile(tmp.file('a.nut'));
    raw = await readFile(tmp.file('a.rgb'));
  });
  after(() => tmp.cleanup());

  function demux(sizes: number[]): { packets: NutPacket[]; demuxer: NutDemuxer } {
    const demuxer = new NutDemuxer();
    const packets: NutPacket[] = [];
    // Copy each packet's bytes: zero-copy views are only valid while the caller keeps the chunk.
    for (const chunk of chunked(nut, sizes)) for (const p of demuxer.push(chunk)) packets.push({ ...p, data: new Uint8Array(p.data) });
    return { packets, demuxer };
  }

  for (const sizes of [[1], [7], [65536], [1 << 30], [3, 1000, 1, 9000, 17, 65536]]) {
    it(`reads every frame with chunks of ${sizes[0] === 1 << 30 ? 'the whole file' : sizes.join('/')} bytes`, () => {
      const { packets, demuxer } = demux(sizes);
      assert.equal(demuxer.pending, 0);
      const [v, a] = demuxer.streams;
      assert.equal(v.kind, 'video');
      assert.equal(v.width, 64);
      assert.equal(v.height, 48);
      assert.equal(a.kind, 'audio');
      assert.equal(a.channels, 1);
      assert.equal(a.sampleRate, 44100);
      const video = packets.filter((p) => p.stream === 0);
      assert.equal(video.length, 10);
      // 10 fps: frame n at n/10 s, whatever the time base ffmpeg chose.
      video.forEach((p, n) => assert.equal((p.pts * v.timeBase.num) / v.timeBase.den, n / 10));
      const frameBytes = 64 * 48 * 3;
      video.forEach((p, n) => assert.deepEqual(p.data, new Uint8Array(raw.subarray(n * frameBytes, (n + 1) * frameBytes)), `frame ${n} pixels`));
      const audio = packets.filter((p) => p.stream === 1);
      const samples = audio.reduce((s, p) => s + p.data.length / 4, 0);
      assert.equal(samples, 44100);
      let expected = 0;
      for (const p of audio) {
        assert.equal(p.pts, expected, 'audio pts continue sample by sample');
        expected += p.data.length / 4;
      }
    });
  }

  it('hands out views into the pushed chunk when a frame lies inside it', () => {
    const demuxer = new NutDemuxer();
    const packets = demuxer.push(nut);
    assert.ok(packets.length > 0);
    for (const p of packets) assert.equal(p.data.buffer, nut.buffer);
  });

  it('rejects bytes that are not NUT, and a corrupted header checksum', () => {
    assert.throws(() => new NutDemuxer().push(new TextEncoder().encode('definitely not a nut file at all')), NutFormatError);
    const bad = nut.slice();
    bad[40] ^= 0xff; // inside the main header
    assert.throws(() => new NutDemuxer().push(bad), NutFormatError);
  });
});
