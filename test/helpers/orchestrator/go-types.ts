// go-livepeer's request types, as its handlers decode them (package, Go type names and JSON tags).
import { eitherOr, goBool, goInt, goInt64, goNumber, goString, pointerTo, sliceOf, struct, type GoType } from '../go-json.js';

const gpuFields = { id: goString, name: goString, vram_mb: goInt };
const gpuAlias = struct('runner', 'gpuAlias', gpuFields) as GoType & { kind: 'struct' };

/** LiveRunnerGPU: an object, or a bare device index (its UnmarshalJSON). */
export const LiveRunnerGPU = pointerTo(eitherOr('runner.LiveRunnerGPU', goInt, gpuAlias, (index) => ({ id: String(index), name: '', vram_mb: 0 })));

export const LiveRunnerPriceInfo = struct('runner', 'LiveRunnerPriceInfo', { price: goNumber, currency: goString, unit: goString });

export const LiveRunnerHeartbeatRequest = struct('runner', 'LiveRunnerHeartbeatRequest', {
  runner_id: goString,
  label: goString,
  proxy: goBool,
  runner_url: goString,
  version: goString,
  metadata: goString,
  status: goString,
  mode: goString,
  gpu: LiveRunnerGPU,
  app: goString,
  capacity: goInt,
  price_info: LiveRunnerPriceInfo,
  session_ids: sliceOf(goString),
});

export interface HeartbeatRequest {
  runner_id: string;
  label: string;
  proxy: boolean;
  runner_url: string;
  version: string;
  metadata: string;
  status: string;
  mode: string;
  gpu: { id: string; name: string; vram_mb: number } | null;
  app: string;
  capacity: number;
  price_info: { price: string; currency: string; unit: string };
  session_ids: string[] | null;
}

const channelRequest = struct('server', 'liveRunnerTrickleChannelRequest', { name: goString, mime_type: goString });
export const LiveRunnerTrickleChannelsRequest = struct('server', 'liveRunnerTrickleChannelsRequest', { channels: sliceOf(channelRequest) });
export const DeleteLiveRunnerTrickleChannelsRequest = struct('server', 'deleteLiveRunnerTrickleChannelsRequest', { channels: sliceOf(goString) });

/** BYOC's ExternalCapability (core/external_capabilities.go), with the currency and token fields. */
export const ExternalCapability = struct('core', 'ExternalCapability', {
  name: goString,
  description: goString,
  url: goString,
  capacity: goInt,
  price_per_unit: goInt64,
  price_scaling: goInt64,
  currency: goString,
  token: goString,
  requirements: struct('core', 'CapabilityRequirements', { video_ingress: goBool, video_egress: goBool, data_output: goBool }),
});

export interface ExternalCapabilityValue {
  name: string;
  description: string;
  url: string;
  capacity: number;
  price_per_unit: number;
  price_scaling: number;
  currency: string;
  token: string;
}

/** One entry of -liveRunnerConfig's runners.json (json.Unmarshal). */
export const StaticLiveRunnerConfig = struct('runner', 'StaticLiveRunnerConfig', {
  runners: sliceOf(
    struct('runner', 'StaticLiveRunnerConfigEntry', {
      label: goString,
      routing: goString,
      runner_url: goString,
      version: goString,
      proxy: goBool,
      metadata: goString,
      mode: goString,
      gpu: LiveRunnerGPU,
      app: goString,
      capacity: goInt,
      price_info: LiveRunnerPriceInfo,
      health_url: goString,
      healthy_status_code: goInt,
    }),
  ),
});

export interface StaticEntry extends Omit<HeartbeatRequest, 'runner_id' | 'status' | 'session_ids'> {
  routing: string;
  health_url: string;
  healthy_status_code: number;
}
