// Merges a processor's declared defaults with JSON values and KEY=VALUE text, typed by the defaults.
import { FieldError } from '../errors.js';
import { checkParamsShape } from './params-shape.js';
import type { Params, ProcessorDefinition } from './types.js';

function coerce(key: string, raw: string, declared: unknown): unknown {
  const bad = (what: string) =>
    new FieldError('TRICKLE_USAGE', [`params.${key}`], ([f]) => `${f}=${raw}: expected ${what}`, { details: { param: key } });
  if (typeof declared === 'number') {
    const n = Number(raw.trim());
    if (raw.trim() === '' || !Number.isFinite(n)) throw bad('a number');
    return n;
  }
  if (typeof declared === 'boolean') {
    const s = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(s)) return true;
    if (['0', 'false', 'no', 'off'].includes(s)) return false;
    throw bad('true or false');
  }
  if (typeof declared === 'string') return raw;
  if (declared !== undefined && declared !== null && typeof declared === 'object') {
    try {
      return JSON.parse(raw);
    } catch {
      throw bad('JSON');
    }
  }
  // Undeclared: numbers and booleans read as such, JSON objects/arrays parsed, anything else a string.
  const t = raw.trim();
  if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  if (t === 'true' || t === 'false') return t === 'true';
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(t);
    } catch {
      /* keep as string */
    }
  }
  return raw;
}

/** Declared defaults ← JSON values ← KEY=VALUE text (coerced to the default's type). */
export function resolveParams(def: ProcessorDefinition, text: Record<string, string> = {}, json?: object): Params {
  const declared: Params = { ...(def.params ?? {}) };
  const out: Params = { ...declared };
  if (json !== undefined) {
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      throw new FieldError('TRICKLE_USAGE', ['params'], ([f]) => `${f} must be a JSON object`);
    }
    checkParamsShape(json);
    for (const [k, v] of Object.entries(json)) {
      if (typeof declared[k] === 'number' && typeof v !== 'number') {
        const n = typeof v === 'string' ? Number(v) : NaN;
        if (!Number.isFinite(n)) throw new FieldError('TRICKLE_USAGE', [`params.${k}`], ([f]) => `${f}: expected a number, got ${JSON.stringify(v)}`);
        out[k] = n;
      } else out[k] = v;
    }
  }
  for (const [k, raw] of Object.entries(text)) out[k] = coerce(k, raw, declared[k]);
  return out;
}

/** Applies an update on top of current params, coercing string values to declared number/boolean types; a deep or unserialisable update is refused. */
export function mergeUpdate(def: ProcessorDefinition, current: Params, update: Params): { params: Params; changed: Params } {
  checkParamsShape(update);
  const declared = def.params ?? {};
  const changed: Params = {};
  for (const [k, v] of Object.entries(update)) {
    changed[k] = typeof v === 'string' && declared[k] !== undefined && typeof declared[k] !== 'string' ? coerce(k, v, declared[k]) : v;
  }
  return { params: { ...current, ...changed }, changed };
}
