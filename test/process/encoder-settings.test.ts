// `trickle process` encoder flags on decoded output: crf, bit rate, preset, Opus audio, and an NVENC that cannot encode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveFfmpeg } from '../../src/media/ffmpeg.js';
import { probeNvenc } from '../../src/media/video-encoder.js';
import { runCli } from '../helpers/cli.js';
import { probePackets, probeStreams } from '../helpers/media-gen.js';
import { decodeErrors } from '../helpers/media.js';
import { relayAndScratch } from './fixture.js';
import { makeClip } from './media.js';
import { runProcessOnClip, type ProcessRun } from './run.js';

const SECONDS = 4;
let clip: string;
const fx = relayAndScratch(async ({ dir }) => {
  clip = path.join(dir, 'in.ts');
  // Small frames keep the pipeline ahead of real time on a busy machine (a stream that lags loses
  // the input's last segment when the publisher deletes its channel).
  await makeClip(clip, { width: 160, height: 120, rate: 30, seconds: SECONDS, channels: 2 });
});

/** Runs process with `args` and writes its output to a file; fails the test on a non-zero exit. */
async function encoded(name: string, args: string[]): Promise<{ run: ProcessRun; file: string }> {
  const run = await runProcessOnClip({ relayUrl: fx.relay.url, name, clip, processor: 'passthrough', args });
  assert.equal(run.exitCode, 0, run.stderr);
  const file = path.join(fx.dir, `${name}.ts`);
  await writeFile(file, run.output);
  return { run, file };
}

const bytes = (packets: { size: number }[]) => packets.reduce((n, p) => n + p.size, 0);
const videoBytes = async (file: string) => bytes(await probePackets(file, 'v'));
/** x264 writes its settings into the first keyframe (an SEI): subme is 1 at superfast, 2 at veryfast. */
const subme = (ts: Buffer) => /subme=(\d+)/.exec(ts.toString('latin1'))?.[1];

test('a higher --crf gives a smaller output; --preset reaches x264; --audio-codec opus decodes', async () => {
  const [fine, coarse] = [await encoded('crf18', ['--crf', '18']), await encoded('crf40', ['--crf', '40', '--preset', 'veryfast', '--audio-codec', 'opus'])];
  const [fineBytes, coarseBytes] = [await videoBytes(fine.file), await videoBytes(coarse.file)];
  assert.ok(coarseBytes < fineBytes / 2, `crf 40: ${coarseBytes} video bytes, crf 18: ${fineBytes}`);
  assert.equal(subme(fine.run.output), '1', 'default preset superfast');
  assert.equal(subme(coarse.run.output), '2', '--preset veryfast');

  assert.equal((await probeStreams(fine.file)).find((s) => s.codec_type === 'audio')?.codec_name, 'aac');
  const audio = (await probeStreams(coarse.file)).find((s) => s.codec_type === 'audio');
  assert.equal(audio?.codec_name, 'opus');
  assert.equal(Number(audio?.channels), 2);
  assert.equal(await decodeErrors(coarse.file), '', 'the Opus output decodes without errors');
  // Opus packets are 20 ms: the audio covers what the video covers.
  const [opus, video] = [await probePackets(coarse.file, 'a'), await probePackets(coarse.file, 'v')];
  const videoSpan = (video[video.length - 1].pts - video[0].pts) / 90_000;
  assert.ok(opus.length * 0.02 >= 0.9 * videoSpan, `${opus.length} Opus packets beside ${videoSpan.toFixed(2)} s of video`);
});

test('--bitrate is roughly respected, and --audio-bitrate lowers the audio rate', async () => {
  const target = 100_000;
  const { file } = await encoded('rate', ['--bitrate', '100k', '--audio-bitrate', '48k']);
  const video = await probePackets(file, 'v');
  const rate = (8 * bytes(video)) / (video.length / 30);
  assert.ok(rate > 0.5 * target && rate < 1.5 * target, `video at ${Math.round(rate / 1000)} kb/s for a 100 kb/s target`);
  const audio = await probePackets(file, 'a');
  const audioRate = (8 * bytes(audio)) / ((audio.length * 1024) / 48_000);
  assert.ok(audioRate < 80_000, `audio at ${Math.round(audioRate / 1000)} kb/s for 48k (default 128k)`);
});

test('--crf with --bitrate is a usage error (exit 2) naming both flags', async () => {
  const r = await runCli(['process', '--in', `${fx.relay.url}u-in`, '--out', `${fx.relay.url}u-out`, '--processor', 'passthrough', '--crf', '20', '--bitrate', '1M']);
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /--crf and --bitrate cannot both be set/);
});

test('--video-encoder h264_nvenc where NVENC cannot encode exits 2 with a message naming it', async (t) => {
  if ((await probeNvenc(resolveFfmpeg())).encodes) return t.skip('NVENC encodes on this machine');
  const r = await runCli(['process', '--in', `${fx.relay.url}n-in`, '--out', `${fx.relay.url}n-out`, '--processor', 'passthrough', '--video-encoder', 'h264_nvenc']);
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /--video-encoder h264_nvenc cannot encode on this machine/);
});

test('--threads reaches x264: its settings in the output say so', async () => {
  // x264 takes at most 2 threads at 160x120 whatever it is told, so 1 is what tells the setting apart.
  const { run } = await encoded('threads', ['--threads', '1', '--verbose']);
  assert.match(run.stderr, /ffmpeg started[^\n]*libx264[^\n]*-threads 1/);
  assert.equal(/x264 .* threads=(\d+)/.exec(run.output.toString('latin1'))?.[1], '1');
});
