// Checks media settings against their table (media.* field errors) and reads the ones stream params carry.
import { FieldError } from '../errors.js';
import { mediaFields, type MediaField, type MediaSettings } from './settings.js';

/** What a field's rule asks for, in words. */
function expectation(f: MediaField): string {
  if (f.choices) return `one of ${f.choices.join(', ')}`;
  if (f.type === 'string') return 'a string';
  const kind = f.type === 'int' ? 'an integer' : 'a number';
  if (f.above !== undefined) return `${kind} above ${f.above}`;
  if (f.min !== undefined) return `${kind} of at least ${f.min}`;
  return kind;
}

function fits(f: MediaField, v: unknown): boolean {
  if (f.type === 'string') return typeof v === 'string' && (!f.choices || f.choices.includes(v));
  if (typeof v !== 'number' || !Number.isFinite(v) || (f.type === 'int' && !Number.isInteger(v))) return false;
  return (f.min === undefined || v >= f.min) && (f.above === undefined || v > f.above);
}

/**
 * Complete, checked media settings from `raw` (unset fields take their defaults). Throws a
 * TRICKLE_USAGE FieldError naming the field (`media.width`) whose value breaks its rule.
 */
export function mediaSettings(raw: Partial<Record<keyof MediaSettings, unknown>> = {}): MediaSettings {
  const out: Record<string, unknown> = {};
  for (const [name, f] of mediaFields()) {
    const v = raw[name] ?? f.default;
    if (v !== undefined && !fits(f, v)) {
      throw new FieldError('TRICKLE_USAGE', [`media.${name}`], ([field]) => `${field} must be ${expectation(f)}, got ${JSON.stringify(v)}`);
    }
    out[name] = v;
  }
  for (const [name, f] of mediaFields()) {
    if (f.with && (out[name] === undefined) !== (out[f.with] === undefined)) {
      throw new FieldError('TRICKLE_USAGE', [`media.${name}`, `media.${f.with}`], ([a, b]) => `${a} and ${b} go together`);
    }
  }
  return out as MediaSettings;
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
