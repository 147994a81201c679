// Decode+encode throughput through Decoder → Encoder (passthrough, Node in the middle) against a bare
// `ffmpeg (same decoder args) | ffmpeg (same encoder args)` shell pipe, at 512x512, 720p and 1080p.
import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { Decoder, decoderArgs } from '../../src/media/decoder.js';
import { Encoder, encoderArgsTs } from '../../src/media/encoder.js';
import { resolveFfmpeg } from '../../src/media/ffmpeg.js';
import type { MediaSettings } from '../../src/media/settings.js';
import { makeTs, probePackets, tempDir } from '../helpers/media-gen.js';
import { benchMedia } from './bench-media.js';

const SIZES = (process.env.MEDIA_BENCH_SIZES ?? '512x512,1280x720,1920x1080').split(',');
const SECONDS = Number(process.env.MEDIA_BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.MEDIA_BENCH_ROUNDS ?? 2);
const TARGET_RATIO = 0.9;
const AUDIO = { sampleRate: 48000, channels: 2 };

/** Pushes `bytes` through Decoder → Encoder and drains the TS; returns [seconds, video frames, Node CPU seconds]. */
async function viaNode(bytes: Uint8Array, media: MediaSettings): Promise<[number, number, number]> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const decoder = new Decoder(media);
  const encoder = new Encoder({ ...media, audio: AUDIO });
  let outBytes = 0;
  const draining = (async () => {
    for await (const c of encoder.output()) outBytes += c.length;
  })();
  const feeding = (async () => {
    for (let i = 0; i < bytes.length; i += 65536) await decoder.write(bytes.subarray(i, i + 65536));
    decoder.endInput();
  })();
  let frames = 0;
  for await (const f of decoder.frames()) {
    if ('width' in f) {
      frames++;
      await encoder.writeVideo(f);
    } else await encoder.writeAudio(f);
  }
  await feeding;
  await encoder.end();
  await draining;
  await Promise.all([decoder.close(), encoder.close()]);
  if (outBytes === 0) throw new Error('encoder produced nothing');
  const cpu = process.cpuUsage(cpu0);
  return [(performance.now() - t0) / 1000, frames, (cpu.user + cpu.system) / 1e6];
}

/** Seconds for the same two ffmpeg processes joined by a shell pipe. */
async function viaShell(file: string, media: MediaSettings): Promise<number> {
  const bin = resolveFfmpeg().path;
  const q = (args: string[]) => args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const enc = encoderArgsTs({ ...media, audio: AUDIO });
  const dec = decoderArgs({ width: media.width, height: media.height });
  const cmd = `${q([bin, '-hide_banner', '-nostdin', ...dec])} < ${q([file])} | ${q([bin, '-hide_banner', ...enc])} > /dev/null`;
  const t0 = performance.now();
  const r = await execa('bash', ['-o', 'pipefail', '-c', cmd], { reject: false });
  if (r.exitCode !== 0) throw new Error(`baseline pipe failed: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const tmp = await tempDir('trickle-media-bench-');
  try {
    const { media, label } = await benchMedia();
    console.log(`Decoder→Encoder (${label}; BENCH_MEDIA) vs ffmpeg|ffmpeg shell pipe with the same settings; ${SECONDS} s of 30 fps testsrc2 + stereo sine; best of ${ROUNDS}`);
    console.log('size        frames   node fps   pipe fps   ratio   node-process CPU/frame');
    let ratio720 = NaN;
    for (const size of SIZES) {
      const file = tmp.file(`${size}.ts`);
      await makeTs(file, { size, rate: 30, seconds: SECONDS });
      const frames = (await probePackets(file, 'v')).length;
      const bytes = await readFile(file);
      let node = Infinity;
      let shell = Infinity;
      let cpu = Infinity;
      for (let r = 0; r < ROUNDS; r++) {
        const [secs, n, cpuSecs] = await viaNode(bytes, media);
        if (n !== frames) throw new Error(`Decoder→Encoder passed ${n} of ${frames} frames`);
        node = Math.min(node, secs);
        cpu = Math.min(cpu, cpuSecs);
        shell = Math.min(shell, await viaShell(file, media));
      }
      const ratio = shell / node;
      if (size === '1280x720') ratio720 = ratio;
      console.log(
        `${size.padEnd(11)} ${String(frames).padStart(6)} ${(frames / node).toFixed(1).padStart(10)} ${(frames / shell).toFixed(1).padStart(10)} ${ratio.toFixed(2).padStart(7)} ${((cpu / frames) * 1000).toFixed(2).padStart(9)} ms`,
      );
    }
    console.log('(node-process CPU: what the Node middle costs; on a machine with a free core it runs beside x264)');
    if (!Number.isNaN(ratio720)) console.log(`720p ratio ${ratio720.toFixed(2)} (target ≥ ${TARGET_RATIO}): ${ratio720 >= TARGET_RATIO ? 'met' : 'NOT met'}`);
  } finally {
    await tmp.cleanup();
  }
}

await main();
