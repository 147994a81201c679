// Test helper: real decoded frames (RGB24, or another pixel format) from ffmpeg lavfi sources, and a processor context for calling hooks directly.
import { spawnFfmpeg } from '../../src/media/ffmpeg.js';
import { TIME_BASE_90K, type VideoFrame } from '../../src/media/frames.js';
import type { Logger } from '../../src/logger.js';
import { frameBytes, type PixelFormat } from '../../src/media/pixel-format.js';
import type { DeviceSpec, Params, ProcessorContext } from '../../src/processor/types.js';

/** Decodes `count` frames of the lavfi graph `source` (which must produce width x height) to `format` (RGB24 by default). */
export async function lavfiFrames(source: string, width: number, height: number, count = 1, format: PixelFormat = 'rgb24'): Promise<VideoFrame[]> {
  const child = spawnFfmpeg(['-loglevel', 'error', '-f', 'lavfi', '-i', source, '-frames:v', String(count), '-f', 'rawvideo', '-pix_fmt', format, 'pipe:1'], {
    stdin: 'ignore',
  });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => chunks.push(c));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const r = await child;
  const all = Buffer.concat(chunks);
  const size = frameBytes(format, width, height);
  if (r.exitCode !== 0 || all.length < size * count) throw new Error(`ffmpeg lavfi failed (${r.exitCode}): ${stderr}`);
  return Array.from({ length: count }, (_, i) => ({
    data: new Uint8Array(all.subarray(i * size, (i + 1) * size)),
    format,
    width,
    height,
    pts: i * 3000,
    timeBase: TIME_BASE_90K,
  }));
}

/** A copy of a frame (hooks work in place). */
export function cloneFrame(f: VideoFrame): VideoFrame {
  return { ...f, data: f.data.slice() };
}

/** A logger that records lines by level. */
export function recordingLogger(): Logger & { lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const log = {
    lines,
    debug: (msg: string) => void lines.push({ level: 'debug', msg }),
    info: (msg: string) => void lines.push({ level: 'info', msg }),
    warn: (msg: string) => void lines.push({ level: 'warn', msg }),
    error: (msg: string) => void lines.push({ level: 'error', msg }),
    child: () => log,
  };
  return log;
}

/** The per-stream context the pipeline would hand to hooks. */
export function processorContext(params: Params, device: DeviceSpec = 'cpu', log: Logger = recordingLogger()): ProcessorContext {
  return {
    streamId: 'test',
    log,
    device,
    params,
    state: {},
    sendData() {},
    emitEvent() {},
    signal: new AbortController().signal,
  };
}
