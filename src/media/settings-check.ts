// Checks media settings against their table (media.* field errors) and reads the ones stream params carry.
import { FieldError } from '../errors.js';
import { mediaFields, type MediaField, type MediaSettings } from './settings.js';

/** What a field's rule asks for, in words. */
function expectation(f: MediaField): string {
  if (f.expect) return f.expect;
  if (f.choices) return `one of ${f.choices.join(', ')}`;
  if (f.type === 'string') return 'a string';
  if (f.type === 'rate') return 'a bit rate such as 2M, 1500k or 800000';
  const kind = f.type === 'int' ? 'an integer' : 'a number';
  if (f.min !== undefined && f.max !== undefined) return `${kind} from ${f.min} to ${f.max}`;
  if (f.above !== undefined) return `${kind} above ${f.above}`;
  if (f.min !== undefined) return `${kind} of at least ${f.min}`;
  return kind;
}

const RATE_UNITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9 };

/** Bits per second from a number or a text like "2M" / "1500k"; undefined when it is not a positive rate. */
export function rateBits(v: unknown): number | undefined {
  const m = typeof v === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)\s*$/i.exec(v) : undefined;
  const n = typeof v === 'number' ? v : m ? Number(m[1]) * RATE_UNITS[m[2].toLowerCase()] : NaN;
  return Number.isFinite(n) && n >= 1 ? Math.round(n) : undefined;
}

/** The value as the field keeps it (a rate in bits per second), or undefined when it breaks the field's rule. */
function checked(f: MediaField, v: unknown): unknown {
  if (f.type === 'rate') return rateBits(v);
  if (f.type === 'string') return typeof v === 'string' && (!f.choices || f.choices.includes(v)) && (!f.pattern || f.pattern.test(v)) ? v : undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || (f.type === 'int' && !Number.isInteger(v))) return undefined;
  const inRange = (f.min === undefined || v >= f.min) && (f.above === undefined || v > f.above) && (f.max === undefined || v <= f.max);
  return inRange ? v : undefined;
}

/**
 * Complete, checked media settings from `raw` (unset fields take their defaults). Throws a
 * TRICKLE_USAGE FieldError naming the field (`media.width`) whose value breaks its rule.
 */
export function mediaSettings(raw: Partial<Record<keyof MediaSettings, unknown>> = {}): MediaSettings {
  const out: Record<string, unknown> = {};
  for (const [name, f] of mediaFields()) {
    const v = raw[name] ?? f.default;
    const value = v === undefined ? undefined : checked(f, v);
    if (v !== undefined && value === undefined) {
      throw new FieldError('TRICKLE_USAGE', [`media.${name}`], ([field]) => `${field} must be ${expectation(f)}, got ${JSON.stringify(v)}`);
    }
    out[name] = value;
  }
  for (const [name, f] of mediaFields()) if (f.sizeOf) applySize(out, name, f.sizeOf);
  for (const [name, f] of mediaFields()) {
    if (f.with && (out[name] === undefined) !== (out[f.with] === undefined)) {
      throw new FieldError('TRICKLE_USAGE', [`media.${name}`, `media.${f.with}`], ([a, b]) => `${a} and ${b} go together`);
    }
    if (f.excludes && out[name] !== undefined && out[f.excludes] !== undefined) {
      throw new FieldError('TRICKLE_USAGE', [`media.${name}`, `media.${f.excludes}`], ([a, b]) => `${a} and ${b} cannot both be set`);
    }
  }
  return out as MediaSettings;
}

/** A `WxH` value of field `name` sets the two size fields; one already set must say the same. */
function applySize(out: Record<string, unknown>, name: string, [wName, hName]: readonly [string, string]): void {
  const m = /^(\d+)x(\d+)$/.exec(String(out[name]));
  if (!m) return;
  for (const [field, v] of [[wName, Number(m[1])], [hName, Number(m[2])]] as const) {
    if (out[field] !== undefined && out[field] !== v) {
      throw new FieldError('TRICKLE_USAGE', [`media.${name}`, `media.${field}`], ([a, b]) => `${a} ${String(out[name])} and ${b} ${String(out[field])} disagree`);
    }
    out[field] = v;
  }
}

/** A param's value as the field's type; undefined for one that cannot be used (it unsets the field). */
function fromParam(f: MediaField, v: unknown): number | string | undefined {
  if (f.type === 'string') return typeof v === 'string' ? v : undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * The media settings stream params ask for (`width`, `height`, `max_framerate` …), keyed by field;
 * a param that is present but unusable (0, a word) leaves its field unset. `live` picks the
 * fields a running stream applies on an update.
 */
export function mediaFromParams(params: Record<string, unknown> | undefined, which: 'start' | 'live' = 'start'): Partial<MediaSettings> {
  const out: Record<string, unknown> = {};
  for (const [name, f] of mediaFields()) {
    if (!f.param || !params || !(f.param in params) || (which === 'live' && !f.live)) continue;
    out[name] = fromParam(f, params[f.param]);
  }
  return out as Partial<MediaSettings>;
}

/** `settings` without its unset fields, so spreading it over other settings only adds what it sets. */
export function setFields(settings: Partial<MediaSettings> | undefined): Partial<MediaSettings> {
  return Object.fromEntries(Object.entries(settings ?? {}).filter(([, v]) => v !== undefined)) as Partial<MediaSettings>;
}
