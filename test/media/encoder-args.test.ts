// The encoder's ffmpeg arguments follow the media settings: preset, crf or bit rate with live defaults, NVENC, Opus.
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { isTrickleError } from '../../src/errors.js';
import { copiedAudioCodecs } from '../../src/media/audio-copy.js';
import { audioEncoderArgs, threadsPerStream, videoEncoderArgs } from '../../src/media/encoder-args.js';
import { mediaSettings } from '../../src/media/settings-check.js';
import { chooseVideoEncoder } from '../../src/media/video-encoder.js';
import { tempDir } from '../helpers/media-gen.js';

/** The value after `flag` in `args` (undefined when the flag is absent). */
const after = (args: string[], flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);

describe('encoder arguments', () => {
  it('default to libx264 superfast zerolatency at x264\'s own quality, AAC 128k', () => {
    const video = videoEncoderArgs(mediaSettings());
    assert.deepEqual([after(video, '-c:v'), after(video, '-preset'), after(video, '-tune'), after(video, '-bf')], ['libx264', 'superfast', 'zerolatency', '0']);
    for (const flag of ['-crf', '-b:v', '-maxrate', '-bufsize']) assert.equal(after(video, flag), undefined, flag);
    const audio = audioEncoderArgs(mediaSettings());
    assert.deepEqual([after(audio, '-c:a'), after(audio, '-b:a')], ['aac', '128000']);
  });

  it('take the preset, crf, and a bit rate whose peak and buffer default to one second of it', () => {
    assert.equal(after(videoEncoderArgs(mediaSettings({ preset: 'veryfast' })), '-preset'), 'veryfast');
    assert.equal(after(videoEncoderArgs(mediaSettings({ crf: 30 })), '-crf'), '30');
    const rate = videoEncoderArgs(mediaSettings({ bitrate: '1M' }));
    assert.deepEqual([after(rate, '-b:v'), after(rate, '-maxrate'), after(rate, '-bufsize')], ['1000000', '1000000', '1000000']);
    const peaks = videoEncoderArgs(mediaSettings({ bitrate: '1M', maxrate: '2M' }));
    assert.deepEqual([after(peaks, '-maxrate'), after(peaks, '-bufsize')], ['2000000', '2000000']);
    const capped = videoEncoderArgs(mediaSettings({ crf: 20, maxrate: '3M', bufsize: '1.5M' }));
    assert.deepEqual([after(capped, '-crf'), after(capped, '-b:v'), after(capped, '-maxrate'), after(capped, '-bufsize')], ['20', undefined, '3000000', '1500000']);
  });

  it('give NVENC its own preset, low-latency tuning and rate control, and keep the keyframe rule', () => {
    const args = videoEncoderArgs(mediaSettings({ videoEncoder: 'h264_nvenc', preset: 'veryfast', crf: 28 }));
    assert.deepEqual([after(args, '-c:v'), after(args, '-preset'), after(args, '-tune'), after(args, '-rc'), after(args, '-cq')], ['h264_nvenc', 'p2', 'ull', 'vbr', '28']);
    assert.ok(!args.includes('-x264-params'));
    assert.match(after(args, '-force_key_frames') ?? '', /prev_forced_t/);
    assert.equal(after(args, '-fps_mode'), 'passthrough');
    assert.equal(after(videoEncoderArgs(mediaSettings({ videoEncoder: 'h264_nvenc', bitrate: '2M' })), '-rc'), 'cbr');
  });

  it('encode Opus at 96k unless told otherwise', () => {
    const opus = audioEncoderArgs(mediaSettings({ audioCodec: 'opus' }));
    assert.deepEqual([after(opus, '-c:a'), after(opus, '-b:a'), after(opus, '-ar')], ['libopus', '96000', '48000']);
    assert.equal(after(audioEncoderArgs(mediaSettings({ audioCodec: 'opus', audioBitrate: '64k' })), '-b:a'), '64000');
  });

  it('give libx264 -threads N when set, nothing for auto (ffmpeg\'s own) or NVENC', () => {
    assert.equal(after(videoEncoderArgs(mediaSettings({ threads: '3' })), '-threads'), '3');
    assert.equal(after(videoEncoderArgs(mediaSettings()), '-threads'), undefined);
    assert.equal(after(videoEncoderArgs(mediaSettings({ threads: '3', videoEncoder: 'h264_nvenc' })), '-threads'), undefined);
    assert.deepEqual([threadsPerStream(16, 4), threadsPerStream(2, 10), threadsPerStream(8, 3), threadsPerStream(2, 1)], [4, 1, 2, 2]);
  });
});

describe('audio passthrough rule', () => {
  it('copies AAC and Opus without an audio() hook unless another codec or a bit rate is asked for', () => {
    const rule = (raw: Record<string, unknown>, hook = false) => copiedAudioCodecs(mediaSettings(raw), hook);
    assert.deepEqual(rule({}), ['aac', 'opus']);
    assert.deepEqual(rule({}, true), []);
    assert.deepEqual(rule({ audioCodec: 'opus' }), ['opus']);
    assert.deepEqual(rule({ audioBitrate: '64k' }), []);
    assert.deepEqual(rule({ audioMode: 'encode' }), []);
    assert.deepEqual(rule({ audioMode: 'passthrough', audioCodec: 'opus', audioBitrate: '64k' }, true), ['aac', 'opus']);
  });
});

describe('choosing the video encoder', () => {
  /** An executable that answers like an ffmpeg whose h264_nvenc encodes (or not). */
  async function fakeFfmpeg(dir: string, works: boolean): Promise<string> {
    const file = `${dir}/ffmpeg-${works ? 'gpu' : 'nogpu'}`;
    await writeFile(
      file,
      `#!/bin/sh\ncase "$*" in *-encoders*) echo ' V....D h264_nvenc           NVIDIA NVENC H.264 encoder (codec h264)' ;; *) ${works ? 'exit 0' : "echo '[h264_nvenc @ 0x1] No capable devices found' >&2; exit 1"} ;; esac\n`,
    );
    await chmod(file, 0o755);
    return file;
  }

  it('auto takes NVENC where a one-frame encode works, libx264 where it does not', async () => {
    const tmp = await tempDir();
    try {
      const gpu = { path: await fakeFfmpeg(tmp.dir, true), source: 'option' as const };
      const none = { path: await fakeFfmpeg(tmp.dir, false), source: 'option' as const };
      assert.equal((await chooseVideoEncoder(mediaSettings({ videoEncoder: 'auto' }), gpu)).videoEncoder, 'h264_nvenc');
      assert.equal((await chooseVideoEncoder(mediaSettings({ videoEncoder: 'auto' }), none)).videoEncoder, 'libx264');
      assert.equal((await chooseVideoEncoder(mediaSettings({ videoEncoder: 'h264_nvenc' }), gpu)).videoEncoder, 'h264_nvenc');
      await assert.rejects(
        chooseVideoEncoder(mediaSettings({ videoEncoder: 'h264_nvenc' }), none),
        (err: unknown) => isTrickleError(err, 'TRICKLE_NOT_AVAILABLE') && /^media\.videoEncoder h264_nvenc cannot encode on this machine: No capable devices found$/.test((err as Error).message),
      );
    } finally {
      await tmp.cleanup();
    }
  });
});
