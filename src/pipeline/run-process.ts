// The core of `trickle process`: prepare the stream, run one pipeline until its input ends, report stats.
import { FieldError, TrickleError } from '../errors.js';
import type { LoadingMode } from '../image/loading-overlay.js';
import { silentLogger } from '../logger.js';
import { createMetrics, stageSeconds, streamView } from '../metrics/registry.js';
import { serveMetrics, type MetricsServer } from '../metrics/serve-metrics.js';
import { prepareStream, type PrepareOptions } from '../stream/prepare.js';
import type { StreamSpecInput, StreamUrls } from '../stream/spec.js';
import { createPipeline } from './pipeline.js';
import type { Pipeline, PipelineEvent, PipelineInternalOptions, PipelineResult, PipelineStats } from './types.js';

export interface ProcessOptions extends PrepareOptions {
  /** Channels (input and output required), processor, params, device, media, limits. */
  spec: StreamSpecInput & { urls: Partial<StreamUrls> };
  waitForInput?: boolean;
  /** Called every `statsIntervalMs` with a stats snapshot (the CLI prints it). */
  onStats?: (stats: PipelineStats) => void;
  statsIntervalMs?: number;
  onEvent?: (event: PipelineEvent) => void;
  internal?: PipelineInternalOptions;
  /** What the output shows while load() runs (default overlay). */
  loading?: LoadingMode;
  /** Serve Prometheus /metrics on 127.0.0.1 and this port (0: a free one) while the stream runs. */
  metricsPort?: number;
  /** The /metrics URL, once it listens. */
  onMetricsUrl?: (url: string) => void;
}

/** Runs one pipeline; resolves with how it ended (input-not-found is thrown as TRICKLE_STREAM_NOT_FOUND). */
export async function runProcess(opts: ProcessOptions): Promise<PipelineResult & { stats: PipelineStats }> {
  const log = opts.log ?? silentLogger;
  const prepared = await prepareStream(opts.spec, opts);
  const { processor, params, spec } = prepared;
  const urls = spec.urls!;
  let pipeline: Pipeline | undefined;
  let timer: NodeJS.Timeout | undefined;
  let metricsServer: MetricsServer | undefined;
  const metrics =
    opts.metricsPort === undefined ? undefined : createMetrics({ streams: () => (pipeline ? [streamView(pipeline.streamId, pipeline.stats())] : []) });
  try {
    pipeline = createPipeline({
      ...urls,
      processor,
      params,
      media: spec.media,
      limits: spec.limits,
      device: spec.device,
      ffmpeg: prepared.ffmpeg,
      log,
      signal: opts.signal,
      onEvent: opts.onEvent,
      // load() runs beside the pipeline: until it finishes the output carries passthrough video.
      ready: prepared.startLoad(),
      waitForInput: opts.waitForInput,
      internal: opts.internal,
      loading: opts.loading,
      onFrameStages: metrics && ((ms) => metrics.observeStages(pipeline!.streamId, stageSeconds(ms))),
    });
    if (metrics) {
      metricsServer = await serveMetrics(metrics, { port: opts.metricsPort! });
      opts.onMetricsUrl?.(metricsServer.url);
    }
    await pipeline.start();
    log.info('processing', { processor: processor.name, in: urls.input, out: urls.output });
    const running = pipeline;
    if (opts.onStats) timer = setInterval(() => opts.onStats!(running.stats()), opts.statsIntervalMs ?? 1000);
    const result = await pipeline.done;
    // The last line has the final counts.
    if (opts.onStats) opts.onStats(running.stats());
    if (result.reason === 'input-not-found') {
      throw new FieldError('TRICKLE_STREAM_NOT_FOUND', ['waitForInput'], () => `input channel not found: ${urls.input}`, {
        hint: ([f]) => `start the publisher first, or wait for the channel (${f})`,
      });
    }
    if (result.reason === 'error') throw result.error ?? new TrickleError('TRICKLE_INTERNAL', 'pipeline failed');
    return { ...result, stats: pipeline.stats() };
  } finally {
    if (timer) clearInterval(timer);
    prepared.abort();
    await pipeline?.stop();
    await metricsServer?.close();
  }
}
