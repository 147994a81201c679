// Tiny media for the media-engine tests: lavfi-made MPEG-TS/NUT files, ffprobe readers, byte feeders.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveFfmpeg, resolveFfprobe, runFfmpegTool } from '../../src/media/ffmpeg.js';

/** A temp folder removed by `cleanup()`. */
export async function tempDir(prefix = 'trickle-media-'): Promise<{ dir: string; file: (name: string) => string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, file: (name) => path.join(dir, name), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs ffmpeg to completion, throwing with its stderr when it fails. */
export async function ffmpeg(args: string[]): Promise<void> {
  const r = await runFfmpegTool(['-hide_banner', '-loglevel', 'error', '-y', ...args], { timeoutMs: 120_000 });
  if (r.exitCode !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed (${r.exitCode}): ${r.stderr}`);
}

/** Runs ffprobe and returns its stdout. */
export async function ffprobe(args: string[]): Promise<string> {
  const bin = resolveFfprobe(resolveFfmpeg());
  const r = await runFfmpegTool(['-v', 'error', ...args], { binary: bin, timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`ffprobe ${args.join(' ')} failed (${r.exitCode}): ${r.stderr}`);
  return r.stdout;
}

export interface TsSpec {
  /** lavfi video source (default testsrc2); `size`/`rate` are appended when it has no options. */
  video?: string;
  size?: string;
  rate?: number;
  seconds?: number;
  /** 0 for no audio (default 2). */
  channels?: number;
  audioCodec?: 'aac' | 'libopus';
  /** Extra output args (e.g. a -vf setpts for VFR). */
  extra?: string[];
}

/** Makes an H.264 (+AAC/Opus) MPEG-TS with lavfi sources, no B-frames (pts order == decode order). */
export async function makeTs(file: string, spec: TsSpec = {}): Promise<void> {
  const size = spec.size ?? '160x120';
  const rate = spec.rate ?? 25;
  const video = spec.video ?? `testsrc2=size=${size}:rate=${rate}`;
  const channels = spec.channels ?? 2;
  const args = ['-f', 'lavfi', '-i', video];
  if (channels > 0) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push('-t', String(spec.seconds ?? 2), '-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '0', '-pix_fmt', 'yuv420p', '-g', '50');
  if (channels > 0) args.push('-c:a', spec.audioCodec ?? 'aac', '-ac', String(channels));
  args.push(...(spec.extra ?? []), '-f', 'mpegts', file);
  await ffmpeg(args);
}

export interface ProbedPacket {
  pts: number;
  key: boolean;
  size: number;
}

/** The packets of one stream kind ('v' or 'a') in file order, with 90 kHz pts for MPEG-TS. */
export async function probePackets(file: string, kind: 'v' | 'a', extra: string[] = []): Promise<ProbedPacket[]> {
  const out = await ffprobe([...extra, '-select_streams', kind, '-show_entries', 'packet=pts,flags,size', '-of', 'csv=p=0', file]);
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [pts, size, flags] = l.split(',');
      return { pts: Number(pts), size: Number(size), key: (flags ?? '').includes('K') };
    });
}

/** Stream facts ffprobe reports (codec, size, channels …), one object per stream. */
export async function probeStreams(file: string): Promise<Record<string, string>[]> {
  const out = await ffprobe(['-show_entries', 'stream=codec_type,codec_name,width,height,channels,sample_rate,has_b_frames,time_base', '-of', 'json', file]);
  return (JSON.parse(out) as { streams: Record<string, string>[] }).streams;
}

/** The video frames' sizes as decoded by ffprobe (to see size changes inside one stream). */
export async function probeFrameSizes(file: string): Promise<string[]> {
  const out = await ffprobe(['-select_streams', 'v', '-show_entries', 'frame=width,height', '-of', 'csv=p=0', file]);
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => l.split(',').filter(Boolean).slice(0, 2).join('x'));
}

/** Splits `bytes` into chunks whose sizes cycle through `sizes` (to test chunk-boundary handling). */
export function* chunked(bytes: Uint8Array, sizes: number[]): Generator<Uint8Array> {
  let i = 0;
  for (let pos = 0; pos < bytes.length; i++) {
    const n = sizes[i % sizes.length];
    yield bytes.subarray(pos, pos + n);
    pos += n;
  }
}

/** Collects an async iterable into an array. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
