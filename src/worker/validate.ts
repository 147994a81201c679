// Validation of worker API bodies: the start request and PyTrickle's params normalisation.
import { checkParamsShape } from '../processor/params-shape.js';
import type { Params } from '../processor/types.js';

/** A validation failure: the route turns it into a 400 with its message. */
export class ValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

export interface StartRequest {
  gatewayRequestId: string;
  streamId?: string;
  subscribeUrl?: string;
  publishUrl?: string;
  controlUrl?: string;
  eventsUrl?: string;
  dataUrl?: string;
  params: Params;
}

/** Python's int() on a JSON value: integer numbers, integral floats and integer strings. */
function toInt(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
  return undefined;
}

function toBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return value !== 0;
  if (typeof value === 'string') {
    const s = value.trim().toLowerCase();
    if (['true', '1', 'yes'].includes(s)) return true;
    if (['false', '0', 'no'].includes(s)) return false;
  }
  return undefined;
}

/** Normalises a params dict the way PyTrickle does (width/height together, max_framerate 1–60, bools); refuses deep or unserialisable ones. */
export function normalizeParams(raw: unknown): Params {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ValidationError('params must be a JSON object');
  checkParamsShape(raw);
  const params: Params = { ...(raw as Params) };
  const hasW = params.width !== undefined && params.width !== null;
  const hasH = params.height !== undefined && params.height !== null;
  if (hasW !== hasH) throw new ValidationError("Both 'width' and 'height' must be provided together");
  if (hasW) {
    const w = toInt(params.width);
    const h = toInt(params.height);
    if (w === undefined || h === undefined || w <= 0 || h <= 0) {
      throw new ValidationError('Width and height must be valid integers or integer strings');
    }
    params.width = w;
    params.height = h;
  }
  if (params.max_framerate !== undefined && params.max_framerate !== null) {
    const fps = toInt(params.max_framerate);
    if (fps === undefined) throw new ValidationError('max_framerate must be a valid integer');
    if (fps <= 0) throw new ValidationError('max_framerate must be a positive integer');
    if (fps > 60) throw new ValidationError('max_framerate cannot exceed 60 FPS');
    params.max_framerate = fps;
  }
  if (params.detect_out_resolution !== undefined && params.detect_out_resolution !== null) {
    const b = toBool(params.detect_out_resolution);
    if (b === undefined) throw new ValidationError('detect_out_resolution must be a boolean');
    params.detect_out_resolution = b;
  }
  return params;
}

function channelUrl(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new ValidationError(`${key} must be a string`);
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ValidationError(`${key} is not a valid URL: ${v}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError(`${key} must be an http or https URL`);
  return v;
}

/**
 * Checks a parsed /stream/start body; unknown fields (model_id, manifest_id …) are ignored. In an
 * orchestrator session the channel URLs may be left out together: the worker then creates them.
 */
export function parseStartRequest(body: unknown, opts: { inSession?: boolean } = {}): StartRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('request body must be a JSON object');
  const b = body as Record<string, unknown>;
  const id = b.gateway_request_id;
  if (id === undefined || id === null) throw new ValidationError('gateway_request_id is required');
  if (typeof id !== 'string' || id.trim() === '') throw new ValidationError('gateway_request_id must be a non-empty string');
  const given = (key: string) => !(b[key] === undefined || b[key] === null || b[key] === '');
  const neither = !given('subscribe_url') && !given('publish_url');
  if (!(opts.inSession && neither)) {
    for (const key of ['subscribe_url', 'publish_url']) {
      // Our pipeline always reads an input and writes an output (PyTrickle tolerates neither being absent).
      if (!given(key)) {
        throw new ValidationError(opts.inSession ? `${key} is required when the other channel URL is given (or leave both out to use the session's channels)` : `${key} is required`);
      }
    }
  }
  const streamId = typeof b.stream_id === 'string' && b.stream_id !== '' ? b.stream_id : undefined;
  return {
    gatewayRequestId: id,
    streamId,
    subscribeUrl: channelUrl(b, 'subscribe_url'),
    publishUrl: channelUrl(b, 'publish_url'),
    controlUrl: channelUrl(b, 'control_url'),
    eventsUrl: channelUrl(b, 'events_url'),
    dataUrl: channelUrl(b, 'data_url'),
    params: normalizeParams(b.params),
  };
}

/** The request with the session's channels put in for the URLs it left out. */
export function withSessionChannels(req: StartRequest, urls: { subscribe: string; publish: string; control: string; events: string; data: string }): StartRequest {
  return { ...req, subscribeUrl: urls.subscribe, publishUrl: urls.publish, controlUrl: urls.control, eventsUrl: urls.events, dataUrl: urls.data };
}
