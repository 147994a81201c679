// Test media for pipeline tests: generate tiny TS files, publish them into a channel, capture and measure output.
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Publisher } from '../../src/trickle/publisher.js';
import { Subscriber } from '../../src/trickle/subscriber.js';
import { publishTs } from '../../src/trickle/ts-publish.js';
import { waitForChannel } from '../../src/pipeline/wait-channel.js';
import { isTrickleError } from '../../src/errors.js';

export interface TestClip {
  width?: number;
  height?: number;
  rate?: number;
  seconds?: number;
  /** Audio channels (0 for none; default 2). */
  channels?: number;
  /** Audio codec (default aac). */
  audioCodec?: 'aac' | 'libopus';
  /** No video stream (an audio-only clip). */
  noVideo?: boolean;
  /** Drop frames irregularly so the clip has a variable frame rate. */
  vfr?: boolean;
  /** A flat colour instead of testsrc2 (e.g. 'gray'). */
  color?: string;
  gop?: number;
}

/** A scratch directory removed by the returned cleanup. */
export async function scratch(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'trickle-proc-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes an H.264(+AAC) MPEG-TS clip made from lavfi sources. */
export async function makeClip(file: string, clip: TestClip = {}): Promise<void> {
  const w = clip.width ?? 160, h = clip.height ?? 120, r = clip.rate ?? 30, s = clip.seconds ?? 3, ch = clip.channels ?? 2;
  const video = clip.color ? `color=c=${clip.color}:size=${w}x${h}:rate=${r}` : `testsrc2=size=${w}x${h}:rate=${r}`;
  const args = ['-hide_banner', '-loglevel', 'error', '-y'];
  if (!clip.noVideo) args.push('-f', 'lavfi', '-i', `${video}:duration=${s}`);
  if (ch > 0) args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${s}`);
  const filters: string[] = [];
  if (clip.vfr) filters.push(`select='not(eq(mod(n\\,7)\\,3))*not(eq(mod(n\\,11)\\,5))'`);
  if (filters.length) args.push('-vf', filters.join(','), '-fps_mode', 'vfr');
  if (ch > 0) {
    const layout = ch === 1 ? 'mono' : ch === 2 ? 'stereo' : ch === 6 ? '5.1' : `${ch}c`;
    args.push('-af', `aformat=channel_layouts=${layout}`, '-c:a', clip.audioCodec ?? 'aac', '-b:a', '64k');
  }
  const gop = Math.round((clip.gop ?? 1) * r);
  if (!clip.noVideo) args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-bf', '0', '-g', String(gop), '-keyint_min', String(gop), '-pix_fmt', 'yuv420p');
  args.push('-f', 'mpegts', file);
  await execa('ffmpeg', args);
}

/** Publishes `file` into `url` (paced in real time with `re`) and closes the channel at the end. */
export async function publishFile(url: string, file: string, opts: { re?: boolean; readrate?: number; keepOpen?: boolean } = {}): Promise<void> {
  // -readrate N reads at N times real time (-re is N = 1).
  const pace = opts.readrate !== undefined ? ['-readrate', String(opts.readrate)] : opts.re ? ['-re'] : [];
  const ff = execa('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...pace, '-i', file, '-map', '0', '-c', 'copy', '-f', 'mpegts', 'pipe:1'], {
    buffer: false,
    encoding: 'buffer',
    stdout: 'pipe',
    reject: false, // killed when the channel goes away first
  });
  const publisher = new Publisher({ url, deleteOnClose: !opts.keepOpen });
  try {
    await publishTs(ff.stdout as AsyncIterable<Uint8Array>, publisher);
    await ff;
  } finally {
    ff.kill();
    await publisher.close();
  }
}

/** Reads every segment of `url` (each as its own Buffer) until end of stream. */
export async function captureSegments(url: string, opts: { start?: number; signal?: AbortSignal } = {}): Promise<Buffer[]> {
  const out: Buffer[] = [];
  // (Subscriber's own waitForChannel polling trips an uncaught undici abort error; see report.)
  if (!(await waitForChannel(url, { signal: opts.signal }))) return out;
  const sub = new Subscriber({ url, start: opts.start ?? 0, signal: opts.signal });
  try {
    for (;;) {
      const seg = await sub.next();
      if (!seg) break;
      const parts: Buffer[] = [];
      for await (const c of seg.body as AsyncIterable<Buffer>) parts.push(Buffer.from(c));
      out.push(Buffer.concat(parts));
    }
  } catch (err) {
    // A channel deleted at the end of the stream can also surface as "no longer exists".
    if (!(isTrickleError(err, 'TRICKLE_STREAM_NOT_FOUND') && out.length > 0)) throw err;
  } finally {
    await sub.close();
  }
  return out;
}

/** Every segment of a JSON channel (events/data), parsed, until end of stream or abort. */
export async function captureJson(url: string, signal?: AbortSignal): Promise<unknown[]> {
  const out: unknown[] = [];
  try {
    for (const b of await captureSegments(url, { signal })) out.push(JSON.parse(b.toString('utf8')));
  } catch (err) {
    if (!signal?.aborted) throw err;
  }
  return out;
}

export interface FrameMeans {
  r: number;
  g: number;
  b: number;
}

/** ffmpeg/ffprobe input arguments and stdin for MPEG-TS bytes or a file. */
export function tsInput(ts: Uint8Array | string): { args: string[]; input?: Buffer } {
  return typeof ts === 'string' ? { args: ['-i', ts] } : { args: ['-f', 'mpegts', '-i', 'pipe:0'], input: Buffer.from(ts) };
}

/** Decodes MPEG-TS bytes (or a file) to rgb24 frames of width x height. */
export async function rawFrames(ts: Uint8Array | string, width: number, height: number): Promise<Uint8Array[]> {
  const input = tsInput(ts);
  const r = await execa('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...input.args, '-map', '0:v:0', '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], {
    input: input.input,
    encoding: 'buffer',
    maxBuffer: 1 << 30,
  });
  const buf = r.stdout as Uint8Array;
  const size = width * height * 3;
  const out: Uint8Array[] = [];
  for (let off = 0; off + size <= buf.length; off += size) out.push(buf.subarray(off, off + size));
  return out;
}

/** Decodes MPEG-TS bytes to rgb24 and returns each frame's mean R, G, B. */
export async function frameMeans(ts: Uint8Array | string, width: number, height: number): Promise<FrameMeans[]> {
  return (await rawFrames(ts, width, height)).map((f) => {
    let sr = 0, sg = 0, sb = 0;
    for (let i = 0; i < f.length; i += 3) {
      sr += f[i];
      sg += f[i + 1];
      sb += f[i + 2];
    }
    const n = width * height;
    return { r: sr / n, g: sg / n, b: sb / n };
  });
}

/** Averages a list of frame means. */
export function average(frames: FrameMeans[]): FrameMeans {
  const n = Math.max(1, frames.length);
  return {
    r: frames.reduce((a, f) => a + f.r, 0) / n,
    g: frames.reduce((a, f) => a + f.g, 0) / n,
    b: frames.reduce((a, f) => a + f.b, 0) / n,
  };
}

export interface ProbedStream {
  codec_type: string;
  channels?: number;
  width?: number;
  height?: number;
}

/** ffprobe of MPEG-TS bytes or a file: streams, and each packet's stream index / pts / key flag. */
export async function probe(ts: Uint8Array | string): Promise<{ streams: ProbedStream[]; packets: { stream: number; pts: number; key: boolean }[] }> {
  const input = typeof ts === 'string' ? [ts] : ['-f', 'mpegts', 'pipe:0'];
  const r = await execa('ffprobe', ['-v', 'error', '-show_streams', '-show_packets', '-of', 'json', ...input], {
    input: typeof ts === 'string' ? undefined : Buffer.from(ts),
    maxBuffer: 1 << 28,
  });
  const j = JSON.parse(String(r.stdout)) as {
    streams: ProbedStream[];
    packets: { stream_index: number; pts?: number; flags?: string }[];
  };
  return {
    streams: j.streams,
    packets: j.packets.map((p) => ({ stream: p.stream_index, pts: p.pts ?? NaN, key: (p.flags ?? '').includes('K') })),
  };
}

/** The video pts of MPEG-TS bytes or a file, in order. */
export async function videoPts(ts: Uint8Array | string): Promise<number[]> {
  const p = await probe(ts);
  const v = p.streams.findIndex((s) => s.codec_type === 'video');
  return p.packets.filter((x) => x.stream === v).map((x) => x.pts).sort((a, b) => a - b);
}

/** Input pts missing from the output inside the output's span: what a gap in the middle cost (a lost tail is not counted). */
export function missingInSpan(input: number[], output: number[]): number {
  const seen = new Set(output);
  return input.filter((p) => p >= output[0] && p <= output[output.length - 1] && !seen.has(p)).length;
}

/** Waits until channel `url` has started at least `n` segments (polls `GET url/next`). */
export async function waitForSegments(url: string, n: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/next`).catch(() => undefined);
    const text = res ? await res.text() : '';
    if (res?.status === 200 && Number(text) >= n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not reach ${n} segments within ${timeoutMs} ms`);
}
