// Encoder with real ffmpeg: output pts == input pts (VFR), GOP keyframes, no B-frames, audio, size changes.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { isTrickleError } from '../../src/errors.js';
import { Encoder, type EncoderOptions } from '../../src/media/encoder.js';
import { TIME_BASE_90K, type AudioFrame, type VideoFrame } from '../../src/media/frames.js';
import { RestartBudget, type ChildRestart } from '../../src/media/restart-budget.js';
import { killChild } from '../helpers/children.js';
import { decodeErrors } from '../helpers/media.js';
import { until } from '../helpers/until.js';
import { collect, ffprobe, probeFrameSizes, probePackets, probeStreams, tempDir } from '../helpers/media-gen.js';

function videoFrame(width: number, height: number, pts: number, n: number): VideoFrame {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) {
    data[i] = (i / 3 + n * 5) & 0xff;
    data[i + 1] = ((i / 3 / width) * 2) & 0xff;
    data[i + 2] = n * 9;
  }
  return { data, format: 'rgb24', width, height, pts, timeBase: TIME_BASE_90K };
}

function audioFrame(pts: number, channels: number, samples = 1024): AudioFrame {
  const data = new Float32Array(samples * channels);
  for (let i = 0; i < samples; i++) for (let c = 0; c < channels; c++) data[i * channels + c] = 0.3 * Math.sin((i + pts) / 10);
  return { data, sampleRate: 48000, channels, pts, timeBase: TIME_BASE_90K };
}

/** Runs frames through an Encoder, writing audio in pts order beside the video; returns the TS bytes. */
async function encode(opts: EncoderOptions, video: VideoFrame[], audio: AudioFrame[] = []): Promise<{ ts: Buffer; encoder: Encoder }> {
  const encoder = new Encoder(opts);
  const output = collect(encoder.output());
  let ai = 0;
  for (const v of video) {
    while (ai < audio.length && audio[ai].pts <= v.pts) await encoder.writeAudio(audio[ai++]);
    await encoder.writeVideo(v);
  }
  while (ai < audio.length) await encoder.writeAudio(audio[ai++]);
  await encoder.end();
  const ts = Buffer.concat(await output);
  await encoder.close();
  return { ts, encoder };
}

describe('Encoder', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    tmp = await tempDir();
  });
  after(() => tmp.cleanup());

  it('keeps every input pts (VFR, large start), keyframes every gop seconds, no B-frames, stereo AAC', async () => {
    // Starts at 10 s; frame gaps alternate 40 ms / 33.3 ms / 100 ms; 3 s long.
    const start = 900_000;
    const gaps = [3600, 3000, 9000];
    const pts: number[] = [];
    for (let t = start, i = 0; t < start + 3 * 90_000; t += gaps[i++ % 3]) pts.push(t);
    const video = pts.map((p, n) => videoFrame(160, 120, p, n));
    const audio: AudioFrame[] = [];
    for (let t = start; t < start + 3 * 90_000; t += 1920) audio.push(audioFrame(t, 2));
    const { ts } = await encode({ gop: 1, preset: 'ultrafast', audio: { sampleRate: 48000, channels: 2 } }, video, audio);
    const file = tmp.file('vfr.ts');
    await writeFile(file, ts);

    const packets = await probePackets(file, 'v');
    assert.deepEqual(
      packets.map((p) => p.pts),
      pts,
    );
    const keys = packets.filter((p) => p.key).map((p) => p.pts);
    assert.equal(keys[0], start);
    // A key frame at the first frame ≥ 1 s after the previous one, and nowhere else.
    let last = start;
    const expectedKeys = [start];
    for (const p of pts) if (p - last >= 90_000) expectedKeys.push((last = p));
    assert.deepEqual(keys, expectedKeys);

    const dts = await ffprobe(['-select_streams', 'v', '-show_entries', 'packet=pts,dts', '-of', 'csv=p=0', file]);
    const lines = dts.split('\n').filter((l) => /^\d+,\d+/.test(l));
    assert.equal(lines.length, pts.length);
    for (const line of lines) {
      const [p, d] = line.split(',');
      assert.equal(p, d, 'pts == dts: no B-frames');
    }
    const streams = await probeStreams(file);
    const v = streams.find((s) => s.codec_type === 'video')!;
    const a = streams.find((s) => s.codec_type === 'audio')!;
    assert.equal(v.codec_name, 'h264');
    assert.equal(Number(v.has_b_frames), 0);
    assert.equal(a.codec_name, 'aac');
    assert.equal(Number(a.channels), 2);
    assert.equal(Number(a.sample_rate), 48000);
    const apackets = await probePackets(file, 'a');
    assert.ok(apackets.length > 100, `audio packets: ${apackets.length}`);
    assert.ok(Math.abs(apackets[0].pts - start) <= 2048 * 2, 'audio starts near the video');
  });

  for (const channels of [1, 6]) {
    it(`encodes ${channels}-channel audio with its channel count`, async () => {
      const video = Array.from({ length: 10 }, (_, n) => videoFrame(64, 48, 90_000 + n * 4500, n));
      const audio = Array.from({ length: 24 }, (_, n) => audioFrame(90_000 + n * 1920, channels));
      const { ts } = await encode({ preset: 'ultrafast', audio: { sampleRate: 48000, channels } }, video, audio);
      const file = tmp.file(`ch${channels}.ts`);
      await writeFile(file, ts);
      const a = (await probeStreams(file)).find((s) => s.codec_type === 'audio');
      assert.ok(a, 'audio stream present');
      assert.equal(Number(a.channels), channels);
    });
  }

  it('takes the channel count from the first audio frame when none is given, and drops frames with another', async () => {
    const video = Array.from({ length: 10 }, (_, n) => videoFrame(64, 48, 90_000 + n * 4500, n));
    const audio = Array.from({ length: 24 }, (_, n) => audioFrame(90_000 + n * 1920, n === 12 ? 2 : 6));
    const { ts } = await encode({ preset: 'ultrafast', audio: {} }, video, audio);
    const file = tmp.file('first-count.ts');
    await writeFile(file, ts);
    const a = (await probeStreams(file)).find((s) => s.codec_type === 'audio');
    assert.equal(Number(a?.channels), 6);
    const packets = await probePackets(file, 'a');
    // 23 blocks of 1024 samples (one stereo block dropped) come out as ≈23 AAC frames, priming aside.
    assert.ok(packets.length >= 21 && packets.length <= 24, `${packets.length} AAC frames`);
  });

  it('keeps audio written before the first video frame; withoutAudio() beforehand declares no audio at all', async () => {
    const encoder = new Encoder({ preset: 'ultrafast', audio: {} });
    const out = collect(encoder.output());
    for (let n = 0; n < 10; n++) await encoder.writeAudio(audioFrame(90_000 + n * 1920, 2));
    for (let n = 0; n < 10; n++) await encoder.writeVideo(videoFrame(64, 48, 90_000 + 5 * 1920 + n * 3600, n));
    await encoder.end();
    const file = tmp.file('audio-first.ts');
    await writeFile(file, Buffer.concat(await out));
    await encoder.close();
    const first = (await probePackets(file, 'a'))[0];
    // AAC primes with 1024 samples: the first packet starts that much before the first block.
    assert.equal(first.pts, 90_000 - 1920);

    const silent = new Encoder({ preset: 'ultrafast', audio: {} });
    assert.equal(silent.withoutAudio(), true);
    const out2 = collect(silent.output());
    for (let n = 0; n < 5; n++) await silent.writeVideo(videoFrame(64, 48, n * 3600, n));
    await silent.writeAudio(audioFrame(0, 2)); // ignored
    await silent.end();
    await writeFile(tmp.file('no-audio.ts'), Buffer.concat(await out2));
    await silent.close();
    assert.deepEqual(
      (await probeStreams(tmp.file('no-audio.ts'))).map((s) => s.codec_type),
      ['video'],
    );
  });

  it('encodes Opus when asked', async () => {
    const video = Array.from({ length: 10 }, (_, n) => videoFrame(64, 48, 90_000 + n * 4500, n));
    const audio = Array.from({ length: 24 }, (_, n) => audioFrame(90_000 + n * 1920, 2));
    const { ts } = await encode({ preset: 'ultrafast', audioCodec: 'opus', audio: { sampleRate: 48000, channels: 2 } }, video, audio);
    const file = tmp.file('opus.ts');
    await writeFile(file, ts);
    const a = (await probeStreams(file)).find((s) => s.codec_type === 'audio');
    assert.equal(a?.codec_name, 'opus');
    assert.equal(Number(a?.channels), 2);
  });

  it('restarts on a mid-stream size change: both sizes decode, pts kept, new part starts with a keyframe', async () => {
    const small = Array.from({ length: 10 }, (_, n) => videoFrame(160, 120, 90_000 + n * 3600, n));
    const big = Array.from({ length: 10 }, (_, n) => videoFrame(320, 240, 90_000 + (n + 10) * 3600, n + 10));
    const audio = Array.from({ length: 38 }, (_, n) => audioFrame(90_000 + n * 1920, 2));
    const { ts, encoder } = await encode({ preset: 'ultrafast', audio: { sampleRate: 48000, channels: 2 } }, [...small, ...big], audio);
    assert.equal(encoder.restarts, 2);
    const file = tmp.file('sizes.ts');
    await writeFile(file, ts);
    const sizes = await probeFrameSizes(file);
    assert.deepEqual(sizes, [...Array(10).fill('160x120'), ...Array(10).fill('320x240')]);
    const packets = await probePackets(file, 'v');
    assert.deepEqual(
      packets.map((p) => p.pts),
      [...small, ...big].map((f) => f.pts),
    );
    assert.ok(packets[0].key && packets[10].key, 'each part starts with a keyframe');
  });

  it('restarts when video or audio pts go backwards (kept as given) and drops a repeated pts', async () => {
    const first = Array.from({ length: 10 }, (_, n) => videoFrame(64, 48, 900_000 + n * 3600, n));
    const again = Array.from({ length: 10 }, (_, n) => videoFrame(64, 48, 90_000 + n * 3600, n));
    // A restarted publisher: audio too starts over, 9 s earlier.
    const audio1 = Array.from({ length: 19 }, (_, n) => audioFrame(900_000 + n * 1920, 2));
    const audio2 = Array.from({ length: 19 }, (_, n) => audioFrame(90_000 + n * 1920, 2));
    const encoder = new Encoder({ preset: 'ultrafast', audio: {} });
    const output = collect(encoder.output());
    for (const [video, audio] of [
      [[...first, { ...first[9] }], audio1],
      [again, audio2],
    ] as const) {
      let ai = 0;
      for (const v of video) {
        while (ai < audio.length && audio[ai].pts <= v.pts) await encoder.writeAudio(audio[ai++]);
        await encoder.writeVideo(v);
      }
    }
    await encoder.end();
    const file = tmp.file('backwards.ts');
    await writeFile(file, Buffer.concat(await output));
    await encoder.close();
    assert.equal(encoder.restarts, 2);
    const packets = await probePackets(file, 'v');
    assert.deepEqual(
      packets.map((p) => p.pts),
      [...first, ...again].map((f) => f.pts),
    );
    const a = (await probePackets(file, 'a')).map((p) => p.pts);
    assert.ok(a.some((p) => p >= 900_000) && a.some((p) => p < 200_000), 'audio from both parts');
  });

  it('lets the caller reuse its frame buffer once writeVideo resolved', async () => {
    const shared = new Uint8Array(320 * 240 * 3);
    const shades = [20, 80, 140, 200, 250];
    const encoder = new Encoder({ preset: 'ultrafast' });
    const output = collect(encoder.output());
    for (const [n, shade] of shades.entries()) {
      shared.fill(shade);
      await encoder.writeVideo({ data: shared, format: 'rgb24', width: 320, height: 240, pts: n * 3000, timeBase: TIME_BASE_90K });
    }
    await encoder.end();
    const file = tmp.file('reuse.ts');
    await writeFile(file, Buffer.concat(await output));
    await encoder.close();
    const { readFile } = await import('node:fs/promises');
    await ffprobe(['-i', file]); // decodable
    const rgbFile = tmp.file('reuse.rgb');
    const { ffmpeg } = await import('../helpers/media-gen.js');
    await ffmpeg(['-i', file, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'gray', rgbFile]);
    const gray = await readFile(rgbFile);
    shades.forEach((shade, n) => {
      const px = gray.subarray(n * 320 * 240, (n + 1) * 320 * 240);
      const mean = px.reduce((a, b) => a + b, 0) / px.length;
      assert.ok(Math.abs(mean - shade) < 8, `frame ${n}: mean ${mean.toFixed(1)} for shade ${shade}`);
    });
  });

  it('pads odd frame sizes to even ones (yuv420p) instead of failing', async () => {
    const video = Array.from({ length: 5 }, (_, n) => videoFrame(161, 121, n * 3600, n));
    const { ts } = await encode({ preset: 'ultrafast' }, video);
    const file = tmp.file('odd.ts');
    await writeFile(file, ts);
    assert.deepEqual(await probeFrameSizes(file), Array(5).fill('162x122'));
  });

  it('replaces a killed video child with one that starts on an IDR, pts kept; past its restart budget it fails naming the child', async () => {
    const restarts: ChildRestart[] = [];
    const encoder = new Encoder({ preset: 'ultrafast', gop: 10, audio: null, restarts: new RestartBudget({ max: 1, onRestart: (r) => restarts.push(r) }) });
    const output = collect(encoder.output());
    output.catch(() => undefined);
    const frames = Array.from({ length: 40 }, (_, n) => videoFrame(64, 48, 90_000 + n * 3000, n));
    for (const f of frames.slice(0, 15)) await encoder.writeVideo(f);
    const first = await killChild(process.pid, 'video encoder');
    for (const f of frames.slice(15, 30)) await encoder.writeVideo(f);
    assert.deepEqual(restarts.map((r) => [r.child, r.reason]), [['video encoder', 'was killed by SIGKILL']]);
    await killChild(process.pid, 'video encoder', { not: [first] });
    await assert.rejects(
      (async () => {
        for (const f of frames.slice(30)) await encoder.writeVideo(f);
        await encoder.end();
      })(),
      (err: unknown) => isTrickleError(err, 'TRICKLE_FFMPEG_EXIT') && /^ffmpeg video encoder died 2 times within 120 s, over the restart budget of 1 per 120 s/.test((err as Error).message),
    );
    await assert.rejects(output, /over the restart budget/);
    await encoder.close();
  });

  it('after a restart the output decodes, every input pts but the few the dead child held is there, and the new part starts with a keyframe', async () => {
    let restarted = false;
    const encoder = new Encoder({ preset: 'ultrafast', gop: 10, audio: null, restarts: new RestartBudget({ onRestart: () => (restarted = true) }) });
    const chunks: Uint8Array[] = [];
    const output = (async () => {
      for await (const c of encoder.output()) chunks.push(c);
    })();
    const frames = Array.from({ length: 30 }, (_, n) => videoFrame(64, 48, 90_000 + n * 3000, n));
    for (const f of frames.slice(0, 15)) await encoder.writeVideo(f);
    // A live child: it has encoded most of what it was given (one muxed chunk a frame).
    await until('the first child encoding', () => (chunks.length >= 10 ? true : undefined));
    await killChild(process.pid, 'video encoder');
    // Live frames come 33 ms apart: the death is known before the next one (a burst would have gone into the dying child's socket).
    await until('the restart', () => (restarted ? true : undefined));
    for (const f of frames.slice(15)) await encoder.writeVideo(f);
    await encoder.end();
    await output;
    const file = tmp.file('restarted.ts');
    await writeFile(file, Buffer.concat(chunks));
    await encoder.close();
    const packets = await probePackets(file, 'v');
    const pts = packets.map((p) => p.pts);
    assert.ok(pts.every((p) => frames.some((f) => f.pts === p)), 'only input pts');
    assert.ok(pts.length >= 30 - 5, `${pts.length} of 30 frames`);
    // gop 10 s: the only keyframes are the first child's first frame and the replacement's.
    const keys = packets.filter((p) => p.key).map((p) => p.pts);
    assert.equal(keys.length, 2, `keyframes at ${keys.join(', ')}`);
    assert.ok(keys[1] > frames[5].pts && keys[1] <= frames[15].pts, `the replacement starts on an IDR (${keys[1]})`);
    assert.equal(await decodeErrors(file), '');
  });

  it('ends output() empty when no frame came; close() is idempotent', async () => {
    const encoder = new Encoder({ audio: null });
    const output = collect(encoder.output());
    await encoder.end();
    assert.deepEqual(await output, []);
    await encoder.close();
    await encoder.close();
    await assert.rejects(encoder.writeVideo(videoFrame(16, 16, 0, 0)));
  });

  it('refuses a non-positive gop', () => {
    assert.throws(() => new Encoder({ gop: 0 }), (err: unknown) => isTrickleError(err, 'TRICKLE_USAGE'));
  });

  it('rejects a frame whose bytes do not match its size and pixel format', async () => {
    const encoder = new Encoder();
    const frame = videoFrame(16, 16, 0, 0);
    await assert.rejects(encoder.writeVideo({ ...frame, width: 17 }), /holds 768 bytes, expected 816 for 17x16 rgb24/);
    await assert.rejects(encoder.writeVideo({ ...frame, format: 'yuv420p' }), /holds 768 bytes, expected 384 for 16x16 yuv420p/);
    await encoder.close();
  });
});
