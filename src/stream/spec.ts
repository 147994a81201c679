// StreamSpec: what one stream is made of (channels, processor, params, device, media, limits), checked once with field-named errors.
import { FieldError } from '../errors.js';
import { mediaSettings } from '../media/settings-check.js';
import type { MediaSettings } from '../media/settings.js';
import { checkDevice } from '../processor/device.js';
import type { DeviceSpec, ProcessorDefinition } from '../processor/types.js';
import { checkFrameSize, checkLimits, type StreamLimits, type StreamLimitsInput } from './limits.js';

/** The channels of one stream. */
export interface StreamUrls {
  input: string;
  output: string;
  control?: string;
  events?: string;
  data?: string;
}

/** Processor params as a front end received them: JSON values as they are, KEY=VALUE text to be typed by the processor's declared defaults. */
export interface ParamInput {
  values?: object;
  text?: Record<string, string>;
}

export interface StreamSpec {
  /** Absent where the channels come later, per stream (a worker's streams, the demo's embedded relay). */
  urls?: StreamUrls;
  /** A built-in name, a module path or package name, or an imported definition. */
  processor: string | ProcessorDefinition;
  params: ParamInput;
  device: DeviceSpec;
  media: MediaSettings;
  limits: StreamLimits;
}

/** A spec as a front end assembled it: anything may be missing or wrong until checkStreamSpec() has looked. */
export interface StreamSpecInput {
  urls?: Partial<StreamUrls>;
  processor?: string | ProcessorDefinition;
  params?: ParamInput;
  device?: string;
  media?: Partial<Record<keyof MediaSettings, unknown>>;
  limits?: StreamLimitsInput;
}

const required = (field: string) => new FieldError('TRICKLE_USAGE', [field], ([f]) => `${f} is required`);

/** The spec with defaults filled in; a FieldError names the first field that is missing or wrong. */
export function checkStreamSpec(input: StreamSpecInput): StreamSpec {
  const urls = input.urls;
  if (urls && !urls.input) throw required('urls.input');
  if (urls && !urls.output) throw required('urls.output');
  if (!input.processor) throw required('processor');
  for (const [name, url] of Object.entries(urls ?? {})) {
    if (url !== undefined && !/^https?:\/\//.test(url)) {
      throw new FieldError('TRICKLE_INVALID_URL', [`urls.${name}`], ([f]) => `${f} must be an http(s) URL, got ${url}`);
    }
  }
  const media = mediaSettings(input.media);
  const limits = checkLimits(input.limits);
  checkFrameSize(media, limits, ['media.width', 'media.height']);
  return {
    urls: urls && { ...urls, input: urls.input!, output: urls.output! },
    processor: input.processor,
    params: input.params ?? {},
    media,
    device: checkDevice(input.device),
    limits,
  };
}
