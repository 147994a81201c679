// `trickle doctor`'s core: gathers Node, ffmpeg, onnxruntime and GPU facts and a verdict (never prints).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ffmpegReport, type FfmpegReport } from './ffmpeg-report.js';

export interface ProviderStatus {
  name: string;
  loads: boolean;
  error?: string;
}

export interface DoctorReport {
  node: { version: string; ok: boolean };
  ffmpeg: FfmpegReport;
  onnxruntime: { version?: string; providers: ProviderStatus[]; error?: string };
  gpus: { index: string; name: string; memoryMiB: number }[];
  /** Everything `process` needs on CPU is there. */
  ok: boolean;
  /** Things that are missing but only matter for some features. */
  warnings: string[];
  /** Things that stop `process` from working. */
  problems: string[];
  verdict: string;
}

function onnxruntimeVersion(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const file = require.resolve('onnxruntime-node/package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

async function providers(): Promise<{ providers: ProviderStatus[]; error?: string }> {
  try {
    const mod = (await import('../models/providers.js')) as { probeProviders(): Promise<ProviderStatus[]> };
    return { providers: await mod.probeProviders() };
  } catch (err) {
    return { providers: [], error: `provider probe unavailable: ${(err as Error).message}` };
  }
}

async function gpus(): Promise<DoctorReport['gpus']> {
  try {
    const mod = (await import('../hardware/gpu.js')) as {
      gpuInfo(): Promise<Record<string, { name: string; memory_total: number }>>;
    };
    const info = await mod.gpuInfo();
    return Object.entries(info).map(([index, g]) => ({ index, name: g.name, memoryMiB: Math.round(g.memory_total / 1048576) }));
  } catch {
    return [];
  }
}

/** Collects the whole report; `ok` is true when `trickle process` can run on CPU here. */
export async function runDoctor(opts: { ffmpegPath?: string; env?: NodeJS.ProcessEnv } = {}): Promise<DoctorReport> {
  const major = Number(process.versions.node.split('.')[0]);
  const [ff, ort, gpuList] = await Promise.all([ffmpegReport(opts), providers(), gpus()]);
  const version = onnxruntimeVersion();
  const problems: string[] = [];
  const warnings: string[] = [];
  if (major < 20) problems.push(`Node ${process.versions.node} is too old (need >= 20)`);
  if (!ff.found) problems.push(`ffmpeg not usable: ${ff.error ?? 'not found'}`);
  else {
    if (!ff.encoders.libx264) problems.push('ffmpeg has no libx264 encoder (needed for output video)');
    if (!ff.encoders.aac) problems.push('ffmpeg has no aac encoder (needed for output audio)');
    if (!ff.decoders.h264) problems.push('ffmpeg has no h264 decoder (needed for input video)');
    if (!ff.ffprobe) warnings.push('no ffprobe found (only tests and demo checks use it)');
    if (!ff.encoders.libopus && !ff.encoders.opus) warnings.push('no opus encoder (only needed for opus output audio)');
  }
  if (!version) warnings.push('onnxruntime-node is not installed (only model processors need it)');
  const cpu = ort.providers.find((p) => p.name === 'cpu');
  if (version && !cpu?.loads) warnings.push(`onnxruntime CPU provider does not load: ${cpu?.error ?? ort.error ?? 'unknown'}`);
  const cuda = ort.providers.find((p) => p.name === 'cuda');
  if (gpuList.length > 0 && cuda && !cuda.loads) warnings.push('a GPU is present but the CUDA execution provider does not load (npm run setup:gpu)');
  const ok = problems.length === 0;
  const verdict = ok
    ? `ready: trickle process runs here on CPU${cuda?.loads ? ' and CUDA' : ''}${warnings.length ? ` (${warnings.length} warning${warnings.length > 1 ? 's' : ''})` : ''}`
    : `not ready: ${problems[0]}`;
  return {
    node: { version: process.versions.node, ok: major >= 20 },
    ffmpeg: ff,
    onnxruntime: { version, providers: ort.providers, error: ort.error },
    gpus: gpuList,
    ok,
    warnings,
    problems,
    verdict,
  };
}
