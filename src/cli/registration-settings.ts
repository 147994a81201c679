// Registration settings shared by `trickle register` and `trickle serve --register` (PyTrickle's env names).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TrickleError } from '../errors.js';
import type { SettingSpec } from '../config/settings.js';
import type { CommandContext } from './command.js';
import type { RegistrationMode } from '../register/types.js';

export interface RegistrationSettings {
  mode: string;
  orchUrl?: string;
  orchSecret?: string;
  orchSecretFile?: string;
  name: string;
  description: string;
  url?: string;
  capacity: number;
  pricePerUnit: number;
  priceScaling: number;
  priceCurrency: string;
  priceUnit: string;
  runnerId?: string;
  insecure: boolean;
}

/** Registration options beyond the contract's, added to both commands. */
export function addRegistrationExtras(cmd: Command): Command {
  return cmd
    .option('--price-currency <currency>', 'live-runner price_info.currency (default usd)')
    .option('--price-unit <unit>', 'live-runner price_info.unit: hour or 720p (default hour)')
    .option('--runner-id <id>', 'live-runner: ask for this runner id (default: assigned by the orchestrator)');
}

export const REGISTRATION_SPECS: readonly SettingSpec[] = [
  { key: 'orchUrl', type: 'string', env: ['ORCH_URL'], flag: '--orch-url' },
  { key: 'orchSecret', type: 'string', env: ['ORCH_SECRET'], flag: '--orch-secret' },
  { key: 'orchSecretFile', type: 'string', env: ['ORCH_SECRET_FILE'], flag: '--orch-secret-file' },
  { key: 'name', type: 'string', env: ['CAPABILITY_NAME'], default: 'trickle-worker', flag: '--name' },
  { key: 'description', type: 'string', env: ['CAPABILITY_DESCRIPTION'], default: 'trickle video processing worker', flag: '--description' },
  { key: 'url', type: 'string', env: ['CAPABILITY_URL'], flag: '--url' },
  { key: 'capacity', type: 'int', env: ['CAPABILITY_CAPACITY'], default: 1, flag: '--capacity' },
  { key: 'pricePerUnit', type: 'number', env: ['CAPABILITY_PRICE_PER_UNIT'], default: 0, flag: '--price-per-unit' },
  { key: 'priceScaling', type: 'number', env: ['CAPABILITY_PRICE_SCALING'], default: 1, flag: '--price-scaling' },
  { key: 'priceCurrency', type: 'string', env: ['CAPABILITY_PRICE_CURRENCY'], default: 'usd', flag: '--price-currency' },
  { key: 'priceUnit', type: 'string', env: ['CAPABILITY_PRICE_UNIT'], default: 'hour', flag: '--price-unit' },
  { key: 'runnerId', type: 'string', env: ['TRICKLE_RUNNER_ID'], flag: '--runner-id' },
  { key: 'insecure', type: 'boolean', env: ['TRICKLE_INSECURE'], default: false, flag: '--insecure' },
];

export interface ResolvedRegistration {
  mode: RegistrationMode;
  orchUrl: string;
  orchSecret: string;
  name: string;
  description: string;
  url: string;
  capacity: number;
  pricePerUnit: number;
  priceScaling: number;
  currency: string;
  priceUnit: string;
  runnerId?: string;
  insecure: boolean;
}

/** Checks the settings: a missing orchestrator URL or secret is a usage error naming it (exit 2). */
export function resolveRegistration(ctx: CommandContext, s: RegistrationSettings, defaultUrl: string): ResolvedRegistration {
  if (s.mode !== 'byoc' && s.mode !== 'live-runner') {
    throw new TrickleError('TRICKLE_USAGE', `registration mode must be byoc or live-runner, got ${s.mode}`);
  }
  let secret = s.orchSecret;
  if (!secret && s.orchSecretFile) {
    try {
      secret = readFileSync(s.orchSecretFile, 'utf8').trim();
    } catch (err) {
      throw new TrickleError('TRICKLE_USAGE', `cannot read --orch-secret-file ${s.orchSecretFile}: ${(err as Error).message}`, { cause: err });
    }
  }
  ctx.addSecret(secret);
  if (!s.orchUrl) {
    throw new TrickleError('TRICKLE_USAGE', 'no orchestrator URL: set --orch-url or ORCH_URL', { hint: 'e.g. ORCH_URL=https://orchestrator:9995' });
  }
  let orch: URL;
  try {
    orch = new URL(s.orchUrl);
  } catch {
    throw new TrickleError('TRICKLE_USAGE', `--orch-url / ORCH_URL is not a valid URL: ${s.orchUrl}`);
  }
  if (orch.protocol !== 'http:' && orch.protocol !== 'https:') throw new TrickleError('TRICKLE_USAGE', '--orch-url / ORCH_URL must be http or https');
  if (!secret) {
    throw new TrickleError('TRICKLE_USAGE', 'no orchestrator secret: set --orch-secret, --orch-secret-file or ORCH_SECRET');
  }
  if (!(s.capacity >= 1)) throw new TrickleError('TRICKLE_USAGE', `--capacity must be at least 1, got ${s.capacity}`);
  if (s.mode === 'byoc' && (!Number.isInteger(s.pricePerUnit) || !Number.isInteger(s.priceScaling))) {
    throw new TrickleError('TRICKLE_USAGE', 'byoc --price-per-unit and --price-scaling must be integers (the orchestrator parses int64)');
  }
  return {
    mode: s.mode,
    orchUrl: s.orchUrl,
    orchSecret: secret,
    name: s.name,
    description: s.description,
    url: s.url ?? defaultUrl,
    capacity: s.capacity,
    pricePerUnit: s.pricePerUnit,
    priceScaling: s.priceScaling,
    currency: s.priceCurrency,
    priceUnit: s.priceUnit,
    runnerId: s.runnerId,
    insecure: s.insecure,
  };
}
