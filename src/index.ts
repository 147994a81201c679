// The library's public API: explicit named exports only (pinned by test/api/public-api.test.ts).

// Errors and logging
export { TrickleError, isTrickleError, type ErrorCode, type TrickleErrorOptions } from './errors.js';
export { silentLogger, type Logger, type LogLevel } from './logger.js';

// The relay
export { createRelay, RelayRequestError, type Relay, type RelayOptions, type RelayHooks } from './relay/index.js';

// Protocol clients
export { Subscriber } from './trickle/subscriber.js';
export { Publisher } from './trickle/publisher.js';
export { publishTs, type PublishTsOptions, type PublishTsResult } from './trickle/ts-publish.js';
export {
  START_CURRENT,
  START_NEXT,
  type SubscriberOptions,
  type SubscribedSegment,
  type PublisherOptions,
  type SegmentWriter,
} from './trickle/types.js';

// Media
export { resolveFfmpeg, resolveFfprobe, type FfmpegLocation } from './media/ffmpeg.js';
export { TsSegmenter } from './media/ts/segmenter.js';
export { Decoder } from './media/decoder.js';
export { Encoder } from './media/encoder.js';
export type { MediaSettings } from './media/settings.js';
export {
  TIME_BASE_90K,
  ptsSeconds,
  rgbToTensor,
  tensorToRgb,
  frameToTensor,
  tensorToFrame,
  tensorLength,
  frameBytes,
  yuvPlanes,
  PIXEL_FORMATS,
  type PixelFormat,
  type YuvPlanes,
  type VideoFrame,
  type AudioFrame,
  type TimeBase,
  type TensorFormat,
  type TensorLayout,
} from './media/frames.js';

// Probing a channel (what `trickle probe` reports)
export { probeChannel } from './probe/probe.js';
export type { ProbeOptions, ProbeReport, ProbeSummary, SegmentProbe, EventsProbe, ExpectationResult } from './probe/types.js';

// Processors and the pipeline
export {
  defineProcessor,
  type ProcessorDefinition,
  type ProcessorContext,
  type LoadContext,
  type Params,
  type DeviceSpec,
} from './processor/types.js';
export { loadProcessor, runLoad, builtinProcessors } from './processor/loader.js';
export { resolveParams } from './processor/params.js';
export { createPipeline } from './pipeline/pipeline.js';
export type { Pipeline, PipelineOptions, PipelineEvent, PipelineStats, PipelineResult } from './pipeline/types.js';
export type { StreamLimits } from './stream/limits.js';

// Worker API and registration
export { createWorker, type Worker, type WorkerOptions } from './worker/server.js';
export { registerOnce, keepRegistered, type Registration, type KeepRegisteredOptions } from './register/register.js';
export type { RegistrationMode, RegistrationOptions } from './register/types.js';
export { gpuInfo, gpuStats } from './hardware/gpu.js';

// Models
export { createSession, type SessionHandle, type CreateSessionOptions } from './models/create-session.js';
export type { ModelSession, ModelRunner, OutputTensor } from './models/session.js';
export { probeProviders } from './models/providers.js';
export { onnxruntimeVersion } from './models/runtime.js';
