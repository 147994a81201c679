// Audio passthrough through `trickle process`: without an audio() hook the input's audio packets reach the output byte for byte, in sync.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execa } from 'execa';
import { relayAndScratch } from './fixture.js';
import { makeClip, probe, tsInput, type TestClip } from './media.js';
import { runProcessOnClip, type ProcessRun } from './run.js';

const f = relayAndScratch();

/** The audio packets of MPEG-TS bytes or a file, concatenated as ffmpeg's demuxer hands them out. */
async function audioPayload(ts: Uint8Array | string): Promise<Buffer> {
  const { args, input } = tsInput(ts);
  const r = await execa('ffmpeg', ['-v', 'error', ...args, '-map', '0:a:0', '-c', 'copy', '-f', 'data', 'pipe:1'], { input, encoding: 'buffer', maxBuffer: 1 << 28 });
  return Buffer.from(r.stdout as Uint8Array);
}

/** Mean volume (dB) of the first audio stream. */
async function meanVolume(ts: Uint8Array | string): Promise<number> {
  const { args, input } = tsInput(ts);
  const r = await execa('ffmpeg', ['-hide_banner', ...args, '-map', '0:a:0', '-af', 'volumedetect', '-f', 'null', '-'], { input, reject: false });
  return Number(/mean_volume: (-?[\d.]+) dB/.exec(String(r.stderr))![1]);
}

/** Makes a clip, runs `trickle process` on it, and checks that it exited 0. */
async function run(name: string, clip: TestClip, processor: string, args: string[] = []): Promise<{ r: ProcessRun; file: string }> {
  const file = path.join(f.dir, `${name}.ts`);
  await makeClip(file, clip);
  const r = await runProcessOnClip({ relayUrl: f.relay.url, name, clip: file, processor, args });
  assert.equal(r.exitCode, 0, r.stderr);
  return { r, file };
}

/** First pts of each kind, and the audio codec. */
async function firstPts(ts: Uint8Array | string): Promise<{ video?: number; audio?: number; codec?: string }> {
  const p = await probe(ts);
  const first = (kind: string) => {
    const i = p.streams.findIndex((s) => s.codec_type === kind);
    const pts = p.packets.filter((x) => x.stream === i).map((x) => x.pts);
    return i < 0 || !pts.length ? undefined : Math.min(...pts);
  };
  return { video: first('video'), audio: first('audio'), codec: (p.streams.find((s) => s.codec_type === 'audio') as { codec_name?: string } | undefined)?.codec_name };
}

/** One video frame at 30 fps, in 90 kHz ticks. */
const FRAME = 3000;

for (const codec of ['aac', 'libopus'] as const) {
  test(`${codec} audio passes through bit-identical and in sync when the processor has no audio() hook`, async () => {
    const { r, file: clip } = await run(`pass-${codec}`, { width: 160, height: 120, rate: 30, seconds: 3, audioCodec: codec }, 'invert', ['--verbose']);
    assert.match(r.stderr, /input audio passed through/);
    // The video children's arguments are logged, and no audio ffmpeg ran: neither a decoder nor an encoder of audio.
    assert.match(r.stderr, /ffmpeg started[^\n]*libx264/);
    assert.doesNotMatch(r.stderr, /ffmpeg started[^\n]*(pcm_f32le|-c:a)/);
    const [ain, aout] = await Promise.all([audioPayload(clip), audioPayload(r.output)]);
    assert.ok(ain.length > 1000, `input audio ${ain.length} bytes`);
    assert.ok(aout.equals(ain), `output audio (${aout.length} bytes) is the input's (${ain.length} bytes)`);
    const [tin, tout] = await Promise.all([firstPts(clip), firstPts(r.output)]);
    assert.equal(tout.codec, codec === 'aac' ? 'aac' : 'opus');
    const offIn = tin.audio! - tin.video!;
    const offOut = tout.audio! - tout.video!;
    assert.ok(Math.abs(offOut - offIn) <= FRAME, `first audio pts relative to video: input ${offIn}, output ${offOut}`);
  });
}

test('audio-only input passes through as it came', async () => {
  const { r, file: clip } = await run('pass-aonly', { seconds: 4, noVideo: true }, 'passthrough');
  const p = await probe(r.output);
  assert.deepEqual(p.streams.map((s) => s.codec_type), ['audio']);
  // Segments are cut by time and stream as the audio comes, not only at the end.
  assert.ok(r.segments.length >= 2, `${r.segments.length} segments`);
  const [ain, aout] = await Promise.all([audioPayload(clip), audioPayload(r.output)]);
  assert.ok(aout.equals(ain), `output audio (${aout.length} bytes) is the input's (${ain.length} bytes)`);
});

test('a processor with an audio() hook still has its audio re-encoded, and its changes are heard', async () => {
  const { r, file: clip } = await run('pass-gain', { width: 160, height: 120, rate: 30, seconds: 3 }, 'audio-gain', ['--params', '{"gain":0.25}']);
  assert.doesNotMatch(r.stderr, /passed through/);
  const [vin, vout] = await Promise.all([meanVolume(clip), meanVolume(r.output)]);
  // A quarter of the amplitude is 12 dB down.
  assert.ok(Math.abs(vin - vout - 12) < 1.5, `mean volume in ${vin} dB, out ${vout} dB`);
});

test('--audio-codec other than the input\'s re-encodes audio that could pass through', async () => {
  const { r } = await run('pass-enc', { width: 160, height: 120, rate: 30, seconds: 2 }, 'passthrough', ['--audio-codec', 'opus']);
  assert.doesNotMatch(r.stderr, /passed through/);
  assert.equal((await firstPts(r.output)).codec, 'opus');
});
