// The live-runner wire format: what go-livepeer's LiveRunnerHeartbeatRequest decodes, and the checks it applies.
import { TrickleError } from '../../errors.js';
import type { RegistrationOptions, RunnerReadiness } from '../types.js';

/** go-livepeer keeps at most this many UTF-8 bytes of runner metadata (it is shown publicly in discovery). */
export const MAX_METADATA_BYTES = 1024;
export const PRICE_UNITS = ['hour', '720p', 'fixed'] as const;
export type PriceUnit = (typeof PRICE_UNITS)[number];

export interface LiveRunnerGpu {
  id?: string;
  name?: string;
  vram_mb?: number;
}

export interface LiveRunnerFields {
  /** `app` of the heartbeat (conventionally `pipeline/model`, e.g. live-video-to-video/red-tint). */
  app: string;
  label?: string;
  version?: string;
  /** Opaque text shown in discovery (at most 1,024 UTF-8 bytes). */
  metadata: string;
  /** price_info.price as decimal text ("0.05"); an on-chain orchestrator wants it positive. */
  price: string;
  /** price_info.currency (go-livepeer accepts only usd). */
  currency?: string;
  priceUnit?: PriceUnit;
  gpu?: LiveRunnerGpu;
  /** Ask the orchestrator to proxy this runner's app traffic. */
  proxy?: boolean;
}

/** The channel go-livepeer's registry describes (O2R, a session's trickle channels). */
export interface TrickleChannel {
  name: string;
  channel_name: string;
  url: string;
  internal_url?: string;
  mime_type: string;
}

export interface HeartbeatReply {
  runner_id: string;
  orchestrator?: string;
  heartbeat_interval?: string;
  heartbeat_ttl?: string;
  heartbeat_secret?: string;
  o2r?: TrickleChannel;
  session_ids?: string[];
}

/** Our description, processor and version as compact JSON: the default metadata text. */
export function defaultMetadata(fields: { description?: string; processor?: string; version?: string }): string {
  return JSON.stringify(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== '')));
}

/** Checks metadata the way go-livepeer will, so a bad value stops the worker at start rather than at the orchestrator. */
export function checkMetadata(metadata: string): void {
  const bytes = Buffer.byteLength(metadata, 'utf8');
  if (bytes > MAX_METADATA_BYTES) {
    throw new TrickleError('TRICKLE_USAGE', `runner metadata is ${bytes} bytes; the orchestrator keeps at most ${MAX_METADATA_BYTES} (UTF-8)`, {
      hint: 'shorten the description or set a shorter metadata text',
      details: { field: 'metadata' },
    });
  }
  if (metadata.includes('\uFFFD')) throw new TrickleError('TRICKLE_USAGE', 'runner metadata must not contain U+FFFD (invalid UTF-8)', { details: { field: 'metadata' } });
}

/** A price as decimal text: digits with an optional fraction (what big.Rat parses and a person writes). */
export function checkPrice(price: string): string {
  const p = price.trim();
  if (!/^\d+(\.\d+)?$/.test(p)) throw new TrickleError('TRICKLE_USAGE', `runner price must be a decimal number such as 0.05, got ${JSON.stringify(price)}`, { details: { field: 'price' } });
  return p;
}

export function checkPriceUnit(unit: string): PriceUnit {
  const u = unit.trim().toLowerCase();
  if (!(PRICE_UNITS as readonly string[]).includes(u)) {
    throw new TrickleError('TRICKLE_USAGE', `runner price unit must be ${PRICE_UNITS.join(', ')}; got ${JSON.stringify(unit)}`, { details: { field: 'priceUnit' } });
  }
  return u as PriceUnit;
}

/**
 * The heartbeat body. The price goes out as a JSON number with the user's own digits (Go reads
 * it into a json.Number), never through a float.
 */
export function heartbeatBody(opts: RegistrationOptions & LiveRunnerFields, runnerId: string | undefined, readiness: RunnerReadiness): string {
  const PRICE = '"__price__"';
  const body = {
    ...(runnerId ? { runner_id: runnerId } : {}),
    label: opts.label ?? opts.name,
    ...(opts.proxy ? { proxy: true } : {}),
    runner_url: opts.url,
    version: opts.version ?? '',
    metadata: opts.metadata,
    status: readiness.status,
    mode: 'persistent',
    ...(opts.gpu ? { gpu: opts.gpu } : {}),
    app: opts.app,
    capacity: Math.max(1, readiness.capacity),
    price_info: { price: '__price__', currency: opts.currency ?? 'usd', unit: opts.priceUnit ?? 'hour' },
    session_ids: readiness.sessionIds,
  };
  return JSON.stringify(body).replace(PRICE, checkPrice(opts.price));
}
