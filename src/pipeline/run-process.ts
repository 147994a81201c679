// The core of `trickle process`: load a processor, run one pipeline until its input ends, report stats.
import { TrickleError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { resolveFfmpeg } from '../media/ffmpeg.js';
import { loadProcessor, runLoad } from '../processor/loader.js';
import { parseParamFlags, resolveParams } from '../processor/params.js';
import type { DeviceSpec } from '../processor/types.js';
import { createPipeline } from './pipeline.js';
import type { PipelineEvent, PipelineInternalOptions, PipelineResult, PipelineStats } from './types.js';

export interface ProcessOptions {
  input: string;
  output: string;
  processor: string;
  /** Repeated --param KEY=VALUE. */
  param?: string[];
  /** --params JSON (already parsed). */
  params?: Record<string, unknown>;
  control?: string;
  events?: string;
  data?: string;
  width?: number;
  height?: number;
  maxFramerate?: number;
  gop?: number;
  device?: DeviceSpec;
  ffmpegPath?: string;
  waitForInput?: boolean;
  /** Where relative processor paths resolve from. */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  signal?: AbortSignal;
  /** Called every `statsIntervalMs` with a stats snapshot (the CLI prints it). */
  onStats?: (stats: PipelineStats) => void;
  statsIntervalMs?: number;
  onEvent?: (event: PipelineEvent) => void;
  internal?: PipelineInternalOptions;
}

const DEVICES = /^(auto|cpu|cuda(:\d+)?)$/;

/** Runs one pipeline; resolves with how it ended (input-not-found is thrown as TRICKLE_STREAM_NOT_FOUND). */
export async function runProcess(opts: ProcessOptions): Promise<PipelineResult & { stats: PipelineStats }> {
  const log = opts.log ?? silentLogger;
  for (const [name, v] of [['--in', opts.input], ['--out', opts.output], ['--processor', opts.processor]] as const) {
    if (!v) throw new TrickleError('TRICKLE_USAGE', `${name} is required`);
  }
  for (const [name, v] of [['--in', opts.input], ['--out', opts.output], ['--control', opts.control], ['--events', opts.events], ['--data', opts.data]] as const) {
    if (v !== undefined && !/^https?:\/\//.test(v)) throw new TrickleError('TRICKLE_INVALID_URL', `${name} must be an http(s) URL, got ${v}`);
  }
  if (!opts.width !== !opts.height) throw new TrickleError('TRICKLE_USAGE', '--width and --height go together');
  const device = opts.device ?? 'auto';
  if (!DEVICES.test(device)) throw new TrickleError('TRICKLE_USAGE', `--device must be auto, cpu or cuda[:N], got ${device}`);
  const ffmpeg = resolveFfmpeg({ ffmpegPath: opts.ffmpegPath, env: opts.env });
  const def = await loadProcessor(opts.processor, { cwd: opts.cwd });
  const params = resolveParams(def, parseParamFlags(opts.param), opts.params);
  const loadAbort = new AbortController();
  const onAbort = () => loadAbort.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  // load() runs beside the pipeline: until it finishes the output carries passthrough video.
  const ready = runLoad(def, { log, device, params, signal: loadAbort.signal });
  ready.catch(() => undefined);
  const pipeline = createPipeline({
    input: opts.input,
    output: opts.output,
    control: opts.control,
    events: opts.events,
    data: opts.data,
    processor: def,
    params,
    width: opts.width,
    height: opts.height,
    maxFramerate: opts.maxFramerate,
    gop: opts.gop,
    device,
    ffmpeg,
    log,
    signal: opts.signal,
    onEvent: opts.onEvent,
    ready,
    waitForInput: opts.waitForInput,
    internal: opts.internal,
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await pipeline.start();
    log.info('processing', { processor: def.name, in: opts.input, out: opts.output });
    if (opts.onStats) timer = setInterval(() => opts.onStats!(pipeline.stats()), opts.statsIntervalMs ?? 1000);
    const result = await pipeline.done;
    if (result.reason === 'input-not-found') {
      throw new TrickleError('TRICKLE_STREAM_NOT_FOUND', `input channel not found: ${opts.input}`, {
        hint: 'start the publisher first, or pass --wait to wait for the channel',
      });
    }
    if (result.reason === 'error') throw result.error ?? new TrickleError('TRICKLE_INTERNAL', 'pipeline failed');
    return { ...result, stats: pipeline.stats() };
  } finally {
    if (timer) clearInterval(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    loadAbort.abort();
    await pipeline.stop();
  }
}
