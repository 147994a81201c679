// What the resolved ffmpeg can do for trickle: version, and the encoders/decoders that matter.
import { resolveFfmpeg, resolveFfprobe, runFfmpegTool, type FfmpegLocation } from '../media/ffmpeg.js';
import { probeNvenc } from '../media/video-encoder.js';

export const WANTED_ENCODERS = ['libx264', 'aac', 'libopus', 'opus', 'h264_nvenc'] as const;
export const WANTED_DECODERS = ['h264', 'aac', 'opus'] as const;

export interface FfmpegReport {
  found: boolean;
  path?: string;
  source?: FfmpegLocation['source'];
  version?: string;
  ffprobe?: string;
  encoders: Record<string, boolean>;
  decoders: Record<string, boolean>;
  /** h264_nvenc listed AND a one-frame encode worked (only tried when it is listed). */
  nvencWorks?: boolean;
  error?: string;
}

/** Codec names from `ffmpeg -encoders` / `-decoders` output (lines like ` V....D libx264  …`). */
export function parseCodecList(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^\s[VAS][A-Z.]{5}\s+(\S+)/.exec(line);
    if (m) names.add(m[1]);
  }
  return names;
}

/** Probes ffmpeg; never throws (a missing ffmpeg is part of the report). */
export async function ffmpegReport(opts: { ffmpegPath?: string; env?: NodeJS.ProcessEnv } = {}): Promise<FfmpegReport> {
  const empty = { encoders: {}, decoders: {} };
  let ffmpeg: FfmpegLocation;
  try {
    ffmpeg = resolveFfmpeg({ ffmpegPath: opts.ffmpegPath, env: opts.env });
  } catch (err) {
    return { found: false, ...empty, error: (err as Error).message };
  }
  const [ver, enc, dec] = await Promise.all([
    runFfmpegTool(['-hide_banner', '-version'], { ffmpeg, timeoutMs: 10_000 }),
    runFfmpegTool(['-hide_banner', '-encoders'], { ffmpeg, timeoutMs: 10_000 }),
    runFfmpegTool(['-hide_banner', '-decoders'], { ffmpeg, timeoutMs: 10_000 }),
  ]);
  if (ver.exitCode !== 0) return { found: false, path: ffmpeg.path, source: ffmpeg.source, ...empty, error: `ffmpeg -version failed: ${ver.stderr.trim().slice(0, 200)}` };
  const version = /ffmpeg version (\S+)/.exec(ver.stdout)?.[1];
  const encoders = parseCodecList(enc.stdout);
  const decoders = parseCodecList(dec.stdout);
  let ffprobe: string | undefined;
  try {
    ffprobe = resolveFfprobe(ffmpeg, opts.env);
  } catch {
    ffprobe = undefined;
  }
  const report: FfmpegReport = {
    found: true,
    path: ffmpeg.path,
    source: ffmpeg.source,
    version,
    ffprobe,
    encoders: Object.fromEntries(WANTED_ENCODERS.map((n) => [n, encoders.has(n)])),
    decoders: Object.fromEntries(WANTED_DECODERS.map((n) => [n, decoders.has(n)])),
  };
  if (encoders.has('h264_nvenc')) report.nvencWorks = (await probeNvenc(ffmpeg)).encodes;
  return report;
}
