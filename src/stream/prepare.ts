// prepareStream(): the one way a front end (process, demo, serve) gets a processor ready for its streams.
import { silentLogger, type Logger } from '../logger.js';
import { resolveFfmpeg, type FfmpegLocation } from '../media/ffmpeg.js';
import { chooseVideoEncoder } from '../media/video-encoder.js';
import { loadProcessor, runLoad } from '../processor/loader.js';
import { resolveParams } from '../processor/params.js';
import type { DeviceSpec, Params, ProcessorDefinition } from '../processor/types.js';
import { checkParamsFrameSize } from './limits.js';
import { checkStreamSpec, type StreamSpec, type StreamSpecInput } from './spec.js';

export interface PrepareOptions {
  /** The ffmpeg binary to use (else FFMPEG_PATH, ffmpeg-static, PATH). */
  ffmpegPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Where relative processor paths resolve from. */
  cwd?: string;
  log?: Logger;
  /** Aborting it stops a load() still running. */
  signal?: AbortSignal;
}

/** A processor's load() under way: streams may start meanwhile (they pass video through until it is done). */
export interface Loading {
  /** Settles when load() has finished; rejects when it failed. */
  ready: Promise<void>;
  /** Stops a load() still running (its signal aborts). */
  abort(): void;
}

export interface PreparedStream {
  spec: StreamSpec;
  processor: ProcessorDefinition;
  /** Declared defaults ← JSON values ← text values, typed by the defaults. */
  params: Params;
  ffmpeg: FfmpegLocation;
  /** Starts the processor's load() in the background, once (later calls get the same run); settles when it has finished. */
  startLoad(): Promise<void>;
  /** Stops a load() still running. */
  abort(): void;
}

/**
 * Checks the spec, finds ffmpeg, imports the processor and resolves its params (and the frame
 * size they ask for): each step's failure is a typed error before anything runs. The front end
 * chooses when load() starts.
 */
export async function prepareStream(input: StreamSpecInput, opts: PrepareOptions = {}): Promise<PreparedStream> {
  const checked = checkStreamSpec(input);
  const ffmpeg = resolveFfmpeg({ ffmpegPath: opts.ffmpegPath, env: opts.env });
  // Where the spec asks for NVENC (h264_nvenc, auto), a one-frame encode says whether it works here.
  const spec = { ...checked, media: await chooseVideoEncoder(checked.media, ffmpeg) };
  const processor = typeof spec.processor === 'string' ? await loadProcessor(spec.processor, { cwd: opts.cwd }) : spec.processor;
  const params = resolveParams(processor, spec.params.text, spec.params.values);
  checkParamsFrameSize(params, spec.limits);
  let loading: Loading | undefined;
  return {
    spec,
    processor,
    params,
    ffmpeg,
    startLoad: () => (loading ??= beginLoad(processor, { params, device: spec.device, log: opts.log, signal: opts.signal })).ready,
    abort: () => loading?.abort(),
  };
}

/** Runs a processor's load() once, in the background, with the params and device it gets. */
export function beginLoad(def: ProcessorDefinition, opts: { params: Params; device: DeviceSpec; log?: Logger; signal?: AbortSignal }): Loading {
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const ready = runLoad(def, { log: opts.log ?? silentLogger, device: opts.device, params: opts.params, signal: abort.signal })
    .then(() => undefined)
    .finally(() => opts.signal?.removeEventListener('abort', onAbort));
  ready.catch(() => undefined); // its owner reports it (the pipeline, the worker's state)
  return { ready, abort: () => abort.abort() };
}
