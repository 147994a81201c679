// One mechanism for every setting: flag > env > config file > default, so existing worker deployments' env keeps working.
import { TrickleError } from '../errors.js';
import type { ConfigObject } from './load.js';

export type SettingType = 'string' | 'int' | 'number' | 'boolean' | 'json';

export interface SettingSpec {
  /** camelCase key: commander's option name and the config key (inside the command's section, or top level). */
  key: string;
  type: SettingType;
  /** Environment variables, first match wins (e.g. TRICKLE_PORT, or PyTrickle's ORCH_URL). */
  env?: string[];
  default?: unknown;
  /** Shown in errors: the flag as users type it. */
  flag?: string;
}

function parseValue(spec: SettingSpec, raw: unknown, from: string): unknown {
  if (raw === undefined || raw === null) return undefined;
  const fail = (): never => {
    throw new TrickleError('TRICKLE_USAGE', `invalid value for ${spec.flag ?? spec.key} (from ${from}): ${JSON.stringify(raw)}`, {
      hint: `expected ${spec.type === 'int' ? 'an integer' : spec.type === 'number' ? 'a number' : spec.type === 'boolean' ? 'true or false' : spec.type}`,
    });
  };
  switch (spec.type) {
    case 'string':
      return String(raw);
    case 'int': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isInteger(n) || String(raw).trim() === '') fail();
      return n;
    }
    case 'number': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isFinite(n) || String(raw).trim() === '') fail();
      return n;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(s)) return false;
      return fail();
    }
    case 'json':
      if (typeof raw !== 'string') return raw;
      try {
        return JSON.parse(raw);
      } catch {
        return fail();
      }
  }
}

/**
 * Resolves each spec from (in order) the parsed flags, the environment, the config section,
 * then its default. `flags` holds only values the user actually typed.
 */
export function resolveSettings(
  specs: readonly SettingSpec[],
  sources: { flags: Record<string, unknown>; env: NodeJS.ProcessEnv; config: ConfigObject },
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    let value: unknown;
    if (sources.flags[spec.key] !== undefined) value = parseValue(spec, sources.flags[spec.key], spec.flag ?? `--${spec.key}`);
    if (value === undefined) {
      for (const name of spec.env ?? []) {
        const raw = sources.env[name];
        if (raw !== undefined && raw !== '') {
          value = parseValue(spec, raw, name);
          break;
        }
      }
    }
    if (value === undefined && sources.config[spec.key] !== undefined) value = parseValue(spec, sources.config[spec.key], 'config file');
    out[spec.key] = value === undefined ? spec.default : value;
  }
  return out;
}

/** The config for one command: top-level keys overlaid by the command's own section (`{"relay": {…}}`). */
export function configSection(config: ConfigObject, command: string): ConfigObject {
  const section = config[command];
  const shared = Object.fromEntries(
    Object.entries(config).filter(([, v]) => typeof v !== 'object' || v === null || Array.isArray(v)),
  );
  return { ...shared, ...(section && typeof section === 'object' && !Array.isArray(section) ? (section as ConfigObject) : {}) };
}
