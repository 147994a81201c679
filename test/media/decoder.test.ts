// Decoder with real ffmpeg: pts equal ffprobe's, pixel values, channel counts, VFR, size changes, errors.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { isTrickleError } from '../../src/errors.js';
import { Decoder, type DecoderOptions } from '../../src/media/decoder.js';
import type { AudioFrame, VideoFrame } from '../../src/media/frames.js';
import { RestartBudget, type ChildRestart } from '../../src/media/restart-budget.js';
import { mediaSettings } from '../../src/media/settings-check.js';
import { videoTranscoderArgs } from '../../src/media/transcoder-args.js';
import { killChild } from '../helpers/children.js';
import { ffmpeg, makeTs, probePackets, tempDir } from '../helpers/media-gen.js';
import { until } from '../helpers/until.js';

type Frame = VideoFrame | AudioFrame;
const isVideo = (f: Frame): f is VideoFrame => 'width' in f;

/** Feeds a whole file in `chunk`-byte writes and collects every frame. */
async function decodeFile(file: string, opts: DecoderOptions = {}, chunk = 32768): Promise<{ video: VideoFrame[]; audio: AudioFrame[]; decoder: Decoder }> {
  const bytes = await readFile(file);
  const decoder = new Decoder(opts);
  const feeding = (async () => {
    for (let i = 0; i < bytes.length; i += chunk) await decoder.write(bytes.subarray(i, i + chunk));
    decoder.endInput();
  })();
  const video: VideoFrame[] = [];
  const audio: AudioFrame[] = [];
  try {
    for await (const f of decoder.frames()) {
      if (isVideo(f)) video.push(f);
      else audio.push(f);
    }
    await feeding;
  } finally {
    await decoder.close();
  }
  return { video, audio, decoder };
}

describe('Decoder', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    tmp = await tempDir();
    await makeTs(tmp.file('stereo.ts'));
  });
  after(() => tmp.cleanup());

  it('emits every video frame with the pts ffprobe reports, and stereo audio', async () => {
    const file = tmp.file('stereo.ts');
    const { video, audio, decoder } = await decodeFile(file);
    assert.deepEqual(await decoder.streams, { video: { width: 160, height: 120 }, audio: { sampleRate: 48000, channels: 2 } });
    const expected = await probePackets(file, 'v');
    assert.equal(video.length, 50);
    assert.deepEqual(
      video.map((f) => f.pts),
      expected.map((p) => p.pts),
    );
    for (const f of video) {
      assert.equal(f.width, 160);
      assert.equal(f.height, 120);
      assert.equal(f.data.length, 160 * 120 * 3);
      assert.deepEqual(f.timeBase, { num: 1, den: 90000 });
    }
    assert.ok(audio.length > 50);
    const samples = audio.reduce((n, a) => n + a.data.length / a.channels, 0);
    assert.ok(Math.abs(samples - 2 * 48000) < 2048, `≈2 s of audio, got ${samples} samples`);
    for (const a of audio) {
      assert.equal(a.channels, 2);
      assert.equal(a.sampleRate, 48000);
      assert.ok(a.data instanceof Float32Array);
    }
    const firstAudio = await probePackets(file, 'a');
    assert.equal(audio[0].pts, firstAudio[0].pts);
    // A 440 Hz sine carries energy.
    assert.ok(audio.some((a) => a.data.some((s) => Math.abs(s) > 0.05)));
  });

  it('reads the video from stdout just as well (the way it goes where there are no unix sockets)', async () => {
    const file = tmp.file('stereo.ts');
    const { video, audio } = await decodeFile(file, { videoOverSocket: false });
    assert.deepEqual(
      video.map((f) => f.pts),
      (await probePackets(file, 'v')).map((p) => p.pts),
    );
    assert.ok(audio.length > 50);
  });

  it('loses nothing when frames() is iterated late', async () => {
    const file = tmp.file('stereo.ts');
    const bytes = await readFile(file);
    const decoder = new Decoder();
    try {
      await decoder.write(bytes.subarray(0, 40_000));
      await new Promise((r) => setTimeout(r, 500)); // ffmpeg has produced output nobody read yet
      const feeding = (async () => {
        await decoder.write(bytes.subarray(40_000));
        decoder.endInput();
      })();
      const pts: number[] = [];
      for await (const f of decoder.frames()) if ('width' in f) pts.push(f.pts);
      await feeding;
      assert.deepEqual(
        pts,
        (await probePackets(file, 'v')).map((p) => p.pts),
      );
    } finally {
      await decoder.close();
    }
  });

  it('applies backpressure: writes stall while nobody reads frames, then complete', async () => {
    // Lossless noise (MBs) is more than ffmpeg's probe buffer and the pipes can absorb.
    const file = tmp.file('big.ts');
    await makeTs(file, { size: '320x240', seconds: 2, channels: 0, extra: ['-vf', 'noise=alls=80:allf=t', '-qp', '0'] });
    const bytes = await readFile(file);
    assert.ok(bytes.length > 2_000_000, `input is ${bytes.length} bytes`);
    const decoder = new Decoder();
    try {
      let written = false;
      const writing = (async () => {
        for (let i = 0; i < bytes.length; i += 4096) await decoder.write(bytes.subarray(i, i + 4096));
        decoder.endInput();
        written = true;
      })();
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(written, false, 'input not all taken while output is unread');
      let frames = 0;
      for await (const f of decoder.frames()) if ('width' in f) frames++;
      await writing;
      assert.equal(frames, 50);
    } finally {
      await decoder.close();
    }
  });

  it('decodes a solid red source to ~(255,0,0)', async () => {
    const file = tmp.file('red.ts');
    await makeTs(file, { video: 'color=c=red:size=160x120:rate=10', channels: 0, seconds: 1 });
    const { video, audio } = await decodeFile(file);
    assert.equal(video.length, 10);
    assert.equal(audio.length, 0);
    for (const f of video) {
      const mid = (60 * 160 + 80) * 3;
      const [r, g, b] = f.data.subarray(mid, mid + 3);
      assert.ok(r >= 240 && g <= 15 && b <= 15, `centre pixel ${r},${g},${b}`);
    }
  });

  for (const channels of [1, 6]) {
    it(`keeps ${channels === 1 ? 'mono' : '5.1 (6-channel)'} audio`, async () => {
      const file = tmp.file(`ch${channels}.ts`);
      await makeTs(file, { channels, seconds: 1, size: '64x48' });
      const { audio, video } = await decodeFile(file);
      assert.ok(video.length > 0);
      assert.ok(audio.length > 0);
      for (const a of audio) {
        assert.equal(a.channels, channels);
        assert.equal(a.data.length % channels, 0);
      }
    });
  }

  it('decodes Opus audio in MPEG-TS (WHIP-style ingest)', async () => {
    const file = tmp.file('opus.ts');
    await makeTs(file, { channels: 2, seconds: 1, size: '64x48', audioCodec: 'libopus' });
    const { audio, video } = await decodeFile(file);
    assert.equal(video.length, 25);
    assert.ok(audio.length > 0);
    for (const a of audio) assert.deepEqual([a.channels, a.sampleRate], [2, 48000]);
    assert.ok(audio.some((a) => a.data.some((s) => Math.abs(s) > 0.05)));
  });

  it('keeps variable-frame-rate timestamps', async () => {
    const file = tmp.file('vfr.ts');
    // 25 fps for ten frames, then 1/12.5 s apart.
    const setpts = "setpts='(N/25+if(gte(N,10),(N-10)/25,0))/TB'";
    await makeTs(file, { channels: 0, seconds: 1, extra: ['-vf', setpts, '-fps_mode', 'passthrough', '-enc_time_base', '1:90000'] });
    const { video } = await decodeFile(file);
    const expected = (await probePackets(file, 'v')).map((p) => p.pts);
    assert.deepEqual(
      video.map((f) => f.pts),
      expected,
    );
    const gaps = new Set(video.slice(1).map((f, i) => f.pts - video[i].pts));
    assert.ok(gaps.has(3600) && gaps.has(7200), `frame gaps ${[...gaps].join(",")}`);
  });

  it('survives an input resolution change mid-stream; every frame carries its real size', async () => {
    await makeTs(tmp.file('p1.ts'), { size: '160x120', seconds: 1 });
    await makeTs(tmp.file('p2.ts'), { size: '320x240', seconds: 1, extra: ['-output_ts_offset', '1.1'] });
    const both = Buffer.concat([await readFile(tmp.file('p1.ts')), await readFile(tmp.file('p2.ts'))]);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(tmp.file('sizes.ts'), both);
    const { video } = await decodeFile(tmp.file('sizes.ts'));
    assert.ok(video.length >= 48, `frames from both parts, got ${video.length}`);
    for (const f of video) assert.equal(f.data.length, f.width * f.height * 3);
    assert.ok(video.some((f) => f.pts > 2 * 90000), 'frames of the second part came out');
  });

  it('resize first keeps the first size in a child that starts later; resize follow gives each part its own size', async () => {
    await makeTs(tmp.file('big-late.ts'), { size: '320x240', seconds: 1, channels: 0, extra: ['-output_ts_offset', '20'] });
    await makeTs(tmp.file('small-early.ts'), { size: '160x120', seconds: 1, channels: 0 });
    const { writeFile } = await import('node:fs/promises');
    // A restarted publisher at another size: the rewind starts a second child.
    await writeFile(tmp.file('rewind-size.ts'), Buffer.concat([await readFile(tmp.file('big-late.ts')), await readFile(tmp.file('small-early.ts'))]));
    const sizes = (frames: VideoFrame[]) => [...new Set(frames.map((f) => `${f.width}x${f.height}`))];
    const first = await decodeFile(tmp.file('rewind-size.ts'), { audio: false });
    assert.equal(first.decoder.restarts, 2);
    assert.deepEqual(sizes(first.video), ['320x240']);
    const follow = await decodeFile(tmp.file('rewind-size.ts'), { audio: false, resize: 'follow' });
    assert.deepEqual(sizes(follow.video), ['320x240', '160x120']);
    for (const f of [...first.video, ...follow.video]) assert.equal(f.data.length, f.width * f.height * 3);
  });

  it('resize follow starts a new child where the sequence parameter set changes, and every frame has its input size', async () => {
    const { writeFile } = await import('node:fs/promises');
    await makeTs(tmp.file('f1.ts'), { size: '160x120', seconds: 1, channels: 0 });
    await makeTs(tmp.file('f2.ts'), { size: '320x240', seconds: 1, channels: 0, extra: ['-output_ts_offset', '1.1'] });
    await writeFile(tmp.file('grow.ts'), Buffer.concat([await readFile(tmp.file('f1.ts')), await readFile(tmp.file('f2.ts'))]));
    const { video, decoder } = await decodeFile(tmp.file('grow.ts'), { audio: false, resize: 'follow' });
    assert.equal(decoder.restarts, 2);
    assert.deepEqual(
      video.map((f) => `${f.width}x${f.height}`),
      [...Array(25).fill('160x120'), ...Array(25).fill('320x240')],
    );
  });

  it('restarts ffmpeg when the input pts rewind (restarted publisher), keeping every real pts', async () => {
    await makeTs(tmp.file('late.ts'), { seconds: 1, extra: ['-output_ts_offset', '20'] });
    await makeTs(tmp.file('early.ts'), { seconds: 1 });
    const late = await readFile(tmp.file('late.ts'));
    const early = await readFile(tmp.file('early.ts'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(tmp.file('rewind.ts'), Buffer.concat([late, early]));
    const expected = [...(await probePackets(tmp.file('late.ts'), 'v')), ...(await probePackets(tmp.file('early.ts'), 'v'))].map((p) => p.pts);
    // 32 KiB writes cut inside the chunk holding the PAT; 940-byte writes replay earlier chunks.
    for (const chunk of [32768, 940]) {
      const { video, audio, decoder } = await decodeFile(tmp.file('rewind.ts'), {}, chunk);
      assert.deepEqual(
        video.map((f) => f.pts),
        expected,
      );
      assert.equal(decoder.restarts, 2);
      assert.ok(audio.some((a) => a.pts < 10 * 90000) && audio.some((a) => a.pts > 20 * 90000), 'audio from both parts');
    }
  });

  it('scales to width/height when given', async () => {
    const { video } = await decodeFile(tmp.file('stereo.ts'), { width: 64, height: 64, audio: false });
    assert.equal(video.length, 50);
    for (const f of video) assert.deepEqual([f.width, f.height, f.data.length], [64, 64, 64 * 64 * 3]);
  });

  it('caps the frame rate by pts (and the cap can change)', async () => {
    const { video, decoder } = await decodeFile(tmp.file('stereo.ts'), { maxFramerate: 10, audio: false });
    assert.ok(video.length >= 19 && video.length <= 21, `≈10 fps of a 25 fps input, got ${video.length}`);
    assert.equal(decoder.droppedByFramerate, 50 - video.length);
    decoder.maxFramerate = 5;
    assert.equal(decoder.maxFramerate, 5);
  });

  it('ends frames() with TRICKLE_BAD_MEDIA on garbage input; no crash', async () => {
    const decoder = new Decoder();
    const garbage = new Uint8Array(200_000).map((_, i) => (i * 2654435761) >>> 24);
    const writing = decoder.write(garbage).then(() => decoder.endInput());
    await assert.rejects(
      async () => {
        for await (const _ of decoder.frames()) void _;
      },
      (err: unknown) => isTrickleError(err, 'TRICKLE_BAD_MEDIA') && /no MPEG-TS program found in 200000 bytes/.test((err as Error).message),
    );
    await writing.catch(() => {});
    await assert.rejects(decoder.write(new Uint8Array(10)), (err: unknown) => isTrickleError(err));
    await decoder.close();
  });

  /**
   * Feeds a third of `bytes`, SIGKILLs the video child once it has given frames, feeds the rest. With
   * `noticed`, the rest waits until it holds (the decoder saw the death): otherwise all of the rest
   * can be queued to the dead child before its exit is seen, and nothing is left to start a new one.
   */
  async function decodeWithKill(bytes: Buffer, decoder: Decoder, noticed?: () => boolean): Promise<{ frames: VideoFrame[]; failure?: unknown }> {
    const frames: VideoFrame[] = [];
    const reading = (async () => {
      for await (const f of decoder.frames()) frames.push(f as VideoFrame);
    })();
    const feed = async (from: number, to: number) => {
      for (let i = from; i < to; i += 4096) await decoder.write(bytes.subarray(i, Math.min(i + 4096, to))).catch(() => undefined);
    };
    const third = Math.floor(bytes.length / 3);
    try {
      await feed(0, third);
      await until('frames of the first child', () => (frames.length > 0 ? true : undefined));
      await killChild(process.pid, 'video decoder');
      if (noticed) await until('the decoder noticed the death', () => (noticed() ? true : undefined));
      await feed(third, bytes.length);
      decoder.endInput();
      return { frames, failure: await reading.then(() => undefined, (err: unknown) => err) };
    } finally {
      await decoder.close();
    }
  }

  it('replaces a killed video ffmpeg and goes on from the next keyframe, every pts a real one, in order', async () => {
    const file = tmp.file('gop10.ts');
    await makeTs(file, { seconds: 4, channels: 0, extra: ['-g', '10'] });
    const restarts: ChildRestart[] = [];
    const decoder = new Decoder({ audio: false, restarts: new RestartBudget({ onRestart: (r) => restarts.push(r) }) });
    const { frames, failure } = await decodeWithKill(await readFile(file), decoder, () => restarts.length > 0);
    assert.equal(failure, undefined);
    assert.deepEqual(
      restarts.map((r) => [r.child, r.reason, r.count]),
      [['video decoder', 'was killed by SIGKILL', 1]],
    );
    assert.equal(decoder.restarts, 2, 'a second video child');
    assert.ok(decoder.droppedByRestart > 0 && decoder.droppedByRestart <= 10, `${decoder.droppedByRestart} frames left out waiting for a keyframe (GOP 10)`);
    const packets = await probePackets(file, 'v');
    const input = packets.map((p) => p.pts);
    const seen = frames.map((f) => f.pts);
    assert.deepEqual(seen, [...seen].sort((a, b) => a - b), 'in order');
    assert.ok(seen.every((p) => input.includes(p)), 'only real pts');
    // What the dead child had not decoded is lost; from the keyframe the replacement began at, every frame is there.
    const resumed = seen.find((p, i) => i > 0 && input.indexOf(p) !== input.indexOf(seen[i - 1]) + 1);
    assert.ok(resumed !== undefined && packets[input.indexOf(resumed)].key, `the replacement began at a keyframe (${resumed})`);
    assert.deepEqual(
      seen.filter((p) => p >= resumed),
      input.filter((p) => p >= resumed),
    );
  });

  it('past its restart budget a dead child fails the decoder with a message naming it', async () => {
    const file = tmp.file('gop10.ts');
    const { failure } = await decodeWithKill(await readFile(file), new Decoder({ audio: false, restarts: new RestartBudget({ max: 0 }) }));
    assert.ok(isTrickleError(failure, 'TRICKLE_FFMPEG_EXIT'), String(failure));
    assert.match((failure as Error).message, /^ffmpeg video decoder died 1 time within 120 s, over the restart budget of 0 per 120 s \(last: was killed by SIGKILL\)/);
  });

  it('close() stops ffmpeg quickly, is idempotent, and ends frames() quietly', async () => {
    const decoder = new Decoder();
    const bytes = await readFile(tmp.file('stereo.ts'));
    await decoder.write(bytes.subarray(0, 60_000));
    const seen: number[] = [];
    const reading = (async () => {
      for await (const f of decoder.frames()) seen.push(f.pts);
    })();
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    await Promise.all([decoder.close(), decoder.close()]);
    await decoder.close();
    await reading;
    assert.ok(Date.now() - t0 < 5000);
    const { stdout } = await execa('pgrep', ['-P', String(process.pid), 'ffmpeg'], { reject: false });
    assert.equal(stdout.trim(), '', 'no ffmpeg child left');
  });

  it('hands out each frame before the next one is written (no frame held back by the decoder)', async () => {
    // Write the stream one video PES at a time and wait for that very frame before writing on.
    const file = tmp.file('stereo.ts');
    const bytes = await readFile(file);
    const expected = (await probePackets(file, 'v')).map((p) => p.pts);
    const starts: number[] = [];
    for (let off = 0; off < bytes.length; off += 188) {
      const pid = ((bytes[off + 1] & 0x1f) << 8) | bytes[off + 2];
      if (pid === 0x100 && bytes[off + 1] & 0x40) starts.push(off);
    }
    const cuts = [...starts.slice(1), bytes.length]; // write up to where the next video PES starts
    const decoder = new Decoder({ audio: false });
    const it = decoder.frames()[Symbol.asyncIterator]();
    try {
      let from = 0;
      for (let k = 0; k < cuts.length; k++) {
        await decoder.write(bytes.subarray(from, cuts[k]));
        from = cuts[k];
        const next = await Promise.race([it.next(), new Promise<'held'>((r) => setTimeout(() => r('held'), 5000))]);
        assert.notEqual(next, 'held', `frame ${k} did not come out before frame ${k + 1} was written`);
        assert.equal(((next as IteratorResult<Frame>).value as VideoFrame).pts, expected[k]);
      }
    } finally {
      await decoder.close();
    }
  });

  it('decodes B-frame input in presentation order, every pts kept', async () => {
    const file = tmp.file('bframes.ts');
    await makeTs(file, { channels: 0, extra: ['-bf', '2'] });
    const expected = (await probePackets(file, 'v')).map((p) => p.pts).sort((a, b) => a - b);
    const { video } = await decodeFile(file);
    assert.deepEqual(
      video.map((f) => f.pts),
      expected,
    );
  });

  it('decodes HEVC video with MP2 audio (codecs by PMT stream type)', async () => {
    const file = tmp.file('hevc.ts');
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=128x96:rate=25', '-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-t', '1', '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error:bframes=0', '-c:a', 'mp2', '-f', 'mpegts', file]);
    const { video, audio, decoder } = await decodeFile(file);
    assert.equal(video.length, 25);
    assert.deepEqual([video[0].width, video[0].height], [128, 96]);
    assert.ok(audio.length > 0 && audio.every((a) => a.channels === 1));
    assert.deepEqual(await decoder.streams, { video: { width: 128, height: 96 }, audio: { sampleRate: 48000, channels: 1 } });
  });

  it('reuses the bytes of released frames and never touches frames still held', async () => {
    const bytes = await readFile(tmp.file('stereo.ts'));
    const decoder = new Decoder({ audio: false });
    const feeding = (async () => {
      await decoder.write(bytes);
      decoder.endInput();
    })();
    const seen = new Set<ArrayBufferLike>();
    let reused = 0;
    const held: { frame: VideoFrame; sum: number }[] = [];
    const sum = (d: Uint8Array) => d.reduce((a, b) => (a * 31 + b) >>> 0, 7);
    try {
      let n = 0;
      for await (const f of decoder.frames()) {
        const v = f as VideoFrame;
        if (seen.has(v.data.buffer)) reused++;
        seen.add(v.data.buffer);
        // Every 5th frame is kept (never released); the others go back at once.
        if (n++ % 5 === 0) held.push({ frame: v, sum: sum(v.data) });
        else decoder.release(v);
      }
      await feeding;
    } finally {
      await decoder.close();
    }
    assert.ok(reused > 20, `buffers reused ${reused} times`);
    for (const h of held) assert.equal(sum(h.frame.data), h.sum, `held frame ${h.frame.pts} unchanged`);
  });

  it('leaves no socket files behind', async () => {
    const before = (await readdir(tmpdir())).filter((f) => f.startsWith(`trickle-${process.pid}-`)).length;
    const { video } = await decodeFile(tmp.file('stereo.ts'));
    assert.equal(video.length, 50);
    const decoder = new Decoder();
    await decoder.close(); // spares that never got input
    const left = (await readdir(tmpdir())).filter((f) => f.startsWith(`trickle-${process.pid}-`)).length;
    assert.equal(left, before);
  });

  it('transcode: video leaves as packets of one transcoding child; leaveDirect() decodes the GOP since the last keyframe again and the next input keyframe goes back to the transcoder', async () => {
    const file = tmp.file('gop25.ts');
    await makeTs(file, { seconds: 4, channels: 0, extra: ['-g', '25'] });
    const input = await probePackets(file, 'v');
    const keys = new Set(input.filter((p) => p.key).map((p) => p.pts));
    const bytes = await readFile(file);
    const packets: { pts: number; key: boolean }[] = [];
    let headers = 0;
    const decoder = new Decoder({
      audio: false,
      transcode: { args: (size) => videoTranscoderArgs(mediaSettings({ gop: 1 }), size), header: () => void headers++, packet: async (p) => void packets.push({ pts: p.pts, key: p.key }) },
    });
    const video: VideoFrame[] = [];
    const reading = (async () => {
      for await (const f of decoder.frames()) if (isVideo(f)) video.push(f);
    })();
    try {
      assert.equal(decoder.transcoding, true);
      const half = Math.floor(bytes.length / 2);
      for (let i = 0; i < half; i += 4096) await decoder.write(bytes.subarray(i, Math.min(half, i + 4096)));
      decoder.leaveDirect();
      for (let i = half; i < bytes.length; i += 4096) await decoder.write(bytes.subarray(i, i + 4096));
      decoder.endInput();
      await reading;
    } finally {
      await decoder.close();
    }
    const until = decoder.replayUntil!;
    assert.ok(until > 0, 'the replay reached a pts');
    // The frames decoded again: from the last keyframe before the switch up to the last pts the transcoder took.
    assert.ok(video.length > 0 && keys.has(video[0]!.pts), `replay starts at a keyframe (${video[0]?.pts})`);
    assert.equal(video.at(-1)!.pts, until);
    const inputPts = input.map((p) => p.pts);
    assert.deepEqual(video.map((f) => f.pts), inputPts.slice(inputPts.indexOf(video[0]!.pts), inputPts.indexOf(until) + 1));
    // Packets: every input frame up to the switch, none until the next keyframe, every one after it.
    const before = packets.filter((p) => p.pts <= until).map((p) => p.pts);
    assert.deepEqual(before, inputPts.slice(0, inputPts.indexOf(until) + 1));
    const after = packets.filter((p) => p.pts > until);
    assert.ok(after.length > 0 && keys.has(after[0]!.pts) && after[0]!.key, `the transcoder came back at an input keyframe (${after[0]?.pts}), with an IDR`);
    assert.deepEqual(after.map((p) => p.pts), inputPts.slice(inputPts.indexOf(after[0]!.pts)));
    assert.equal(decoder.droppedByRestart, inputPts.indexOf(after[0]!.pts) - inputPts.indexOf(until) - 1, 'what came between was dropped and counted');
    assert.equal(headers, 2, 'one codec header per transcoding child');
    assert.equal(decoder.transcoding, true);
  });
});
