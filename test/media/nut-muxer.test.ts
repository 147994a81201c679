// NUT muxer read back by ffmpeg/ffprobe: irregular (VFR) pts and pixel/sample bytes come through exactly.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { NutDemuxer } from '../../src/media/nut/demuxer.js';
import { NutMuxer } from '../../src/media/nut/muxer.js';
import { ffmpeg, ffprobe, tempDir } from '../helpers/media-gen.js';

const W = 32;
const H = 24;
const VIDEO_PTS = [0, 3000, 3001, 9000, 9100, 45000, 45003, 180000, 1_000_000_123];

function pixels(n: number): Uint8Array {
  const data = new Uint8Array(W * H * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + n * 31) & 0xff;
  return data;
}

describe('NutMuxer', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let file: string;
  let bytes: Uint8Array;

  before(async () => {
    tmp = await tempDir();
    file = tmp.file('m.nut');
    const mux = new NutMuxer([
      { kind: 'video', width: W, height: H },
      { kind: 'audio', sampleRate: 48000, channels: 2 },
    ]);
    const parts: Uint8Array[] = [mux.header()];
    VIDEO_PTS.forEach((pts, n) => {
      const data = pixels(n);
      parts.push(mux.frameHeader(0, pts, data.length), data);
      const audio = new Float32Array(2 * 960).fill(n / 16);
      parts.push(mux.frameHeader(1, pts, audio.byteLength), new Uint8Array(audio.buffer));
    });
    bytes = Buffer.concat(parts);
    await writeFile(file, bytes);
  });
  after(() => tmp.cleanup());

  it('ffprobe reads every video frame with its exact pts', async () => {
    const out = await ffprobe(['-select_streams', 'v', '-show_entries', 'frame=pts,width,height', '-of', 'csv=p=0', file]);
    const frames = out.trim().split('\n').map((l) => l.split(',').map(Number));
    assert.deepEqual(
      frames.map((f) => f[0]),
      VIDEO_PTS,
    );
    for (const f of frames) assert.deepEqual(f.slice(1), [W, H]);
  });

  it('ffmpeg decodes the exact pixel bytes and audio samples', async () => {
    await ffmpeg(['-i', file, '-map', '0:v', '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', tmp.file('v.rgb')]);
    const rgb = await readFile(tmp.file('v.rgb'));
    assert.equal(rgb.length, VIDEO_PTS.length * W * H * 3);
    VIDEO_PTS.forEach((_, n) => assert.deepEqual(rgb.subarray(n * W * H * 3, (n + 1) * W * H * 3), Buffer.from(pixels(n)), `frame ${n}`));
    const apts = await ffprobe(['-select_streams', 'a', '-show_entries', 'packet=pts', '-of', 'csv=p=0', file]);
    // Audio shares the 1/90000 time base, so its pts come back unchanged too.
    assert.deepEqual(apts.trim().split('\n').map(Number), VIDEO_PTS);
  });

  it('round-trips through our own demuxer', () => {
    const d = new NutDemuxer();
    const packets = d.push(bytes);
    assert.deepEqual(
      packets.filter((p) => p.stream === 0).map((p) => p.pts),
      VIDEO_PTS,
    );
    assert.ok(packets.every((p) => p.key));
    assert.deepEqual(d.streams[1].timeBase, { num: 1, den: 90000 });
  });

  it('refuses negative or fractional pts instead of writing a wrong one', () => {
    const mux = new NutMuxer([{ kind: 'video', width: 2, height: 2 }]);
    assert.throws(() => mux.frameHeader(0, -1, 12), RangeError);
    assert.throws(() => mux.frameHeader(0, 1.5, 12), RangeError);
  });
});
