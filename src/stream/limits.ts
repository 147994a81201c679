// A stream's limits: how long a hook call and the input may keep it waiting, and the largest frame it may ask for.
import { FieldError } from '../errors.js';
import { mediaFromParams } from '../media/settings-check.js';
import type { Params } from '../processor/types.js';

/** No frame larger than this many pixels (2^25, e.g. 8192x4096), whatever limits.maxResolution says. */
export const MAX_FRAME_PIXELS = 2 ** 25;

export interface FrameSize {
  width: number;
  height: number;
}

export interface StreamLimits {
  /** Seconds a hook call may take before frames go around it (passed through unchanged) until it returns. */
  frameTimeout: number;
  /** Seconds a hook call may stay pending before the stream fails (a processor with start and stop is restarted once first). */
  hangLimit: number;
  /** Seconds without input bytes, the input channel still there, before the stream ends; 0 waits for ever. */
  inputTimeout: number;
  /** The largest frame size settings or params may ask for. */
  maxResolution: FrameSize;
}

export const DEFAULT_LIMITS: StreamLimits = { frameTimeout: 2, hangLimit: 20, inputTimeout: 120, maxResolution: { width: 4096, height: 4096 } };

/** Limits as a front end read them (seconds as numbers, the resolution as `WxH` text or a size). */
export type StreamLimitsInput = Partial<Record<keyof StreamLimits, unknown>>;

const usage = (field: string, expected: string, got: unknown) =>
  new FieldError('TRICKLE_USAGE', [`limits.${field}`], ([f]) => `${f} must be ${expected}, got ${JSON.stringify(got)}`);

function seconds(raw: StreamLimitsInput, field: 'frameTimeout' | 'hangLimit' | 'inputTimeout', zeroAllowed: boolean): number {
  const v = raw[field] ?? DEFAULT_LIMITS[field];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (v === 0 && !zeroAllowed)) {
    throw usage(field, zeroAllowed ? 'a number of seconds of at least 0' : 'a number of seconds above 0', v);
  }
  return v;
}

/** `WxH` (or a size) as a size; undefined when it is neither. */
export function parseResolution(v: unknown): FrameSize | undefined {
  if (v && typeof v === 'object') {
    const { width, height } = v as Partial<FrameSize>;
    return Number.isInteger(width) && Number.isInteger(height) && width! > 0 && height! > 0 ? { width: width!, height: height! } : undefined;
  }
  const m = typeof v === 'string' ? /^\s*(\d+)\s*x\s*(\d+)\s*$/i.exec(v) : null;
  return m && Number(m[1]) > 0 && Number(m[2]) > 0 ? { width: Number(m[1]), height: Number(m[2]) } : undefined;
}

/** Complete, checked limits (unset ones take their defaults); a FieldError names the first wrong one. */
export function checkLimits(raw: StreamLimitsInput = {}): StreamLimits {
  const frameTimeout = seconds(raw, 'frameTimeout', false);
  const hangLimit = seconds(raw, 'hangLimit', false);
  if (hangLimit < frameTimeout) {
    throw new FieldError('TRICKLE_USAGE', ['limits.hangLimit', 'limits.frameTimeout'], ([h, f]) => `${h} (${hangLimit} s) must be at least ${f} (${frameTimeout} s)`);
  }
  const maxResolution = parseResolution(raw.maxResolution ?? DEFAULT_LIMITS.maxResolution);
  if (!maxResolution) throw usage('maxResolution', 'a size like 4096x4096', raw.maxResolution);
  return { frameTimeout, hangLimit, inputTimeout: seconds(raw, 'inputTimeout', true), maxResolution };
}

/**
 * Refuses a frame size over limits.maxResolution or over MAX_FRAME_PIXELS, naming the two
 * fields that asked for it (`media.width`/`media.height`, `params.width`/`params.height`).
 */
export function checkFrameSize(size: Partial<FrameSize>, limits: StreamLimits, fields: readonly [string, string]): void {
  const { width, height } = size;
  if (width === undefined || height === undefined) return;
  const max = limits.maxResolution;
  const asked = `${width}x${height}`;
  if (width > max.width || height > max.height) {
    throw new FieldError('TRICKLE_USAGE', [...fields, 'limits.maxResolution'], ([w, h, m]) => `${w}/${h} ask for ${asked}, over the largest frame size ${max.width}x${max.height} (${m})`);
  }
  if (width * height > MAX_FRAME_PIXELS) {
    throw new FieldError('TRICKLE_USAGE', [...fields], ([w, h]) => `${w}/${h} ask for ${asked}, over the largest frame of ${MAX_FRAME_PIXELS} pixels`);
  }
}

/** checkFrameSize for the size stream params ask for (`width`, `height`). */
export function checkParamsFrameSize(params: Params | undefined, limits: StreamLimits): void {
  const { width, height } = mediaFromParams(params);
  checkFrameSize({ width, height }, limits, ['params.width', 'params.height']);
}
