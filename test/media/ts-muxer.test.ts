// The MPEG-TS the Encoder writes (TsMuxer over real x264/AAC output), read back packet by packet and by ffmpeg.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { Encoder } from '../../src/media/encoder.js';
import { TIME_BASE_90K } from '../../src/media/frames.js';
import { TsDemuxer } from '../../src/media/ts/demuxer.js';
import { isUnitStart, payloadOffset, pidOf } from '../../src/media/ts/packets.js';
import { runFfmpegTool } from '../../src/media/ffmpeg.js';
import { collect, ffprobe, probeStreams, tempDir } from '../helpers/media-gen.js';

/** NAL unit types of an Annex B access unit, in order. */
function nalTypes(au: Uint8Array): number[] {
  const types: number[] = [];
  for (let i = 0; i + 3 < au.length; i++) {
    if (au[i] === 0 && au[i + 1] === 0 && au[i + 2] === 1) {
      types.push(au[i + 3] & 0x1f);
      i += 2;
    }
  }
  return types;
}

async function encodeClip(channels: number): Promise<Buffer> {
  const encoder = new Encoder({ gop: 1, preset: 'ultrafast', audio: { channels } });
  const out = collect(encoder.output());
  const w = 96;
  const h = 64;
  let apts = 0;
  for (let n = 0; n < 75; n++) {
    const pts = 90_000 + n * 3600; // 25 fps, 3 s
    while (apts <= n * 3600) {
      const samples = new Float32Array(1024 * channels).map((_, i) => 0.2 * Math.sin((apts + i) / 7));
      await encoder.writeAudio({ data: samples, sampleRate: 48_000, channels, pts: 90_000 + apts, timeBase: TIME_BASE_90K });
      apts += 1920;
    }
    const data = new Uint8Array(w * h * 3).map((_, i) => (i * 7 + n * 13) & 0xff);
    await encoder.writeVideo({ data, format: 'rgb24', width: w, height: h, pts, timeBase: TIME_BASE_90K });
  }
  await encoder.end();
  const ts = Buffer.concat(await out);
  await encoder.close();
  return ts;
}

describe('TsMuxer', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let ts: Buffer;
  before(async () => {
    tmp = await tempDir();
    ts = await encodeClip(2);
  });
  after(() => tmp.cleanup());

  it('puts PAT and PMT right before every keyframe, with PCR and random access on its first packet', () => {
    const pids: number[] = [];
    let keyframes = 0;
    for (let off = 0; off < ts.length; off += 188) {
      const pid = pidOf(ts, off);
      if (pid === 0x100 && isUnitStart(ts, off)) {
        const af = (ts[off + 3] & 0x20) !== 0 ? ts[off + 5] : 0;
        assert.ok(af & 0x10, 'PCR on every video PES start');
        if (af & 0x40) {
          keyframes++;
          assert.deepEqual(pids.slice(-2), [0, 0x1000], `PAT, PMT before the keyframe at byte ${off}`);
        }
      }
      pids.push(pid);
    }
    assert.equal(keyframes, 3, 'one per gop second');
    assert.equal(pids[0], 0, 'the stream opens with a PAT');
  });

  it('writes H.264 with an AUD first and SPS/PPS in each IDR, AAC as ADTS, and every PES length', () => {
    const d = new TsDemuxer();
    const events = [...d.push(ts), ...d.end()];
    assert.equal(d.program?.video?.codec, 'h264');
    assert.equal(d.program?.audio?.codec, 'aac');
    let video = 0;
    let audio = 0;
    for (const e of events) {
      if (e.type !== 'pes') continue;
      const { data, stream, randomAccess } = e.pes;
      if (stream.kind === 'video') {
        video++;
        const types = nalTypes(data);
        assert.equal(types[0], 9, 'access unit delimiter first');
        if (randomAccess) {
          assert.ok(types.indexOf(7) > 0 && types.indexOf(8) > types.indexOf(7) && types.indexOf(5) > types.indexOf(8), `SPS, PPS, IDR: ${types}`);
        } else assert.ok(!types.includes(5) && types.includes(1));
      } else {
        audio++;
        assert.equal(data[0], 0xff);
        assert.equal(data[1] & 0xf6, 0xf0, 'ADTS sync word, layer 0');
        assert.equal(((data[3] & 3) << 11) | (data[4] << 3) | (data[5] >> 5), data.length, 'one ADTS frame per PES');
      }
    }
    assert.equal(video, 75);
    assert.ok(audio > 100);
    // PES_packet_length: set wherever it fits, so a reader knows where each PES ends.
    for (let off = 0; off < ts.length; off += 188) {
      if (!isUnitStart(ts, off) || pidOf(ts, off) < 0x100) continue;
      const p = payloadOffset(ts, off);
      assert.ok(((ts[p + 4] << 8) | ts[p + 5]) > 0, `PES length at byte ${off}`);
    }
  });

  it('is read by ffmpeg without a single warning, 6-channel audio included', async () => {
    for (const [name, bytes] of [
      ['stereo.ts', ts],
      ['surround.ts', await encodeClip(6)],
    ] as const) {
      const file = tmp.file(name);
      await writeFile(file, bytes);
      const r = await runFfmpegTool(['-hide_banner', '-v', 'warning', '-i', file, '-f', 'null', '-'], { timeoutMs: 60_000 });
      assert.equal(r.exitCode, 0);
      assert.equal(r.stderr.trim(), '', `${name}: ${r.stderr}`);
      const streams = await probeStreams(file);
      assert.deepEqual(
        streams.map((s) => s.codec_name),
        ['h264', 'aac'],
      );
      assert.equal(Number(streams[1].channels), name === 'stereo.ts' ? 2 : 6);
      // The level fits the picture (it once said 6.2 for any size, which hardware decoders refuse).
      const level = parseInt(await ffprobe(['-select_streams', 'v', '-show_entries', 'stream=level', '-of', 'csv=p=0', file]), 10);
      assert.ok(level > 0 && level <= 30, `H.264 level ${level / 10} for 96x64`);
    }
  });
});
