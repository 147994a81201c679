// Tiny test media made with real ffmpeg, and ffprobe-based checks (frame counts, first frame, decode errors).
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TsClipOptions {
  seconds?: number;
  size?: string;
  rate?: number;
  /** Keyframe interval in frames (fixed: no scene-cut keyframes). */
  gop?: number;
  audio?: boolean;
}

/** A scratch directory and its cleanup. */
export async function tempDir(prefix = 'trickle-ps-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes an H.264 (+AAC) MPEG-TS test clip: lavfi testsrc2 and a sine tone, no B-frames. */
export async function makeTsClip(file: string, o: TsClipOptions = {}): Promise<void> {
  const { seconds = 2, size = '320x240', rate = 30, gop = 30, audio = true } = o;
  const args = ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}`];
  if (audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push('-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(gop), '-keyint_min', String(gop));
  args.push('-sc_threshold', '0', '-bf', '0', '-pix_fmt', 'yuv420p');
  if (audio) args.push('-c:a', 'aac', '-b:a', '64k');
  args.push('-f', 'mpegts', file);
  await execa('ffmpeg', args, { timeout: 120_000 });
}

/** Number of video frames ffprobe decodes from `file` (or from stdin bytes). */
export async function countVideoFrames(file: string): Promise<number> {
  const r = await execa(
    'ffprobe',
    ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file],
    { timeout: 120_000, reject: false },
  );
  return Number.parseInt(String(r.stdout).trim(), 10) || 0;
}

/** Video frames of `file` as ffprobe reports them: key flag and picture type, in decode order. */
export async function videoFrames(file: string): Promise<{ key: boolean; type: string }[]> {
  const r = await execa(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=key_frame,pict_type', '-of', 'csv=p=0', file],
    { timeout: 120_000, reject: false },
  );
  return String(r.stdout)
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [key, type] = line.split(',');
      return { key: key === '1', type: type ?? '' };
    });
}

/** Decoder complaints when `file` is decoded in full (empty when it decodes cleanly). */
export async function decodeErrors(file: string): Promise<string> {
  const r = await execa('ffmpeg', ['-hide_banner', '-v', 'error', '-i', file, '-f', 'null', '-'], { timeout: 120_000, reject: false });
  return String(r.stderr).trim();
}

/** PIDs of the first `n` TS packets of a buffer. */
export function firstPids(bytes: Uint8Array, n: number): number[] {
  const out: number[] = [];
  for (let off = 0; off + 188 <= bytes.length && out.length < n; off += 188) out.push(((bytes[off + 1]! & 0x1f) << 8) | bytes[off + 2]!);
  return out;
}
