// Registration settings shared by `trickle register` and `trickle serve --register` (PyTrickle's env names).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TrickleError } from '../errors.js';
import type { SettingSpec } from '../config/settings.js';
import type { CommandContext } from './command.js';
import type { RegistrationMode } from '../register/types.js';
import { BYOC_DEFAULT_CURRENCY } from '../register/byoc.js';
import { checkMetadata, checkPrice, checkPriceUnit, defaultMetadata, type LiveRunnerFields } from '../register/live-runner/wire.js';

export interface RegistrationSettings {
  mode: string;
  orchUrl?: string;
  orchSecret?: string;
  orchSecretFile?: string;
  name: string;
  description: string;
  url?: string;
  capacity: number;
  pricePerUnit?: string;
  priceScaling: number;
  priceCurrency?: string;
  priceUnit: string;
  runnerId?: string;
  app?: string;
  metadata?: string;
  proxy: boolean;
  insecure: boolean;
}

/** Registration options beyond the contract's, added to both commands. */
export function addRegistrationExtras(cmd: Command): Command {
  return cmd
    .option('--price-currency <currency>', 'byoc: currency of --price-per-unit (default wei); live-runner: usd')
    .option('--price-unit <unit>', 'live-runner price_info.unit: hour, 720p or fixed (default hour)')
    .option('--app <app>', 'live-runner app (default live-video-to-video/<processor>)')
    .option('--metadata <text>', 'live-runner metadata shown in discovery, at most 1024 bytes (default: description, processor, version as JSON)')
    .option('--proxy', 'live-runner: ask the orchestrator to proxy app traffic to this runner')
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
  // Text, not a number: a live runner's decimal price goes out with the digits the user wrote.
  { key: 'pricePerUnit', type: 'string', env: ['CAPABILITY_PRICE_PER_UNIT'], flag: '--price-per-unit' },
  { key: 'priceScaling', type: 'number', env: ['CAPABILITY_PRICE_SCALING'], default: 1, flag: '--price-scaling' },
  { key: 'priceCurrency', type: 'string', env: ['CAPABILITY_PRICE_CURRENCY'], flag: '--price-currency' },
  { key: 'priceUnit', type: 'string', env: ['CAPABILITY_PRICE_UNIT'], default: 'hour', flag: '--price-unit' },
  { key: 'runnerId', type: 'string', env: ['TRICKLE_RUNNER_ID'], flag: '--runner-id' },
  { key: 'app', type: 'string', env: ['TRICKLE_RUNNER_APP'], flag: '--app' },
  { key: 'metadata', type: 'string', env: ['TRICKLE_RUNNER_METADATA'], flag: '--metadata' },
  { key: 'proxy', type: 'boolean', env: ['TRICKLE_RUNNER_PROXY'], default: false, flag: '--proxy' },
  { key: 'insecure', type: 'boolean', env: ['TRICKLE_INSECURE'], default: false, flag: '--insecure' },
];

export interface ResolvedRegistration extends LiveRunnerFields {
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
  runnerId?: string;
  insecure: boolean;
}

/** What the worker is: its processor's name and the package version (they go into the default app and metadata). */
export interface RunnerIdentity {
  processor?: string;
  version: string;
  defaultUrl: string;
}

function checkMode(mode: string): RegistrationMode {
  if (mode !== 'byoc' && mode !== 'live-runner') throw new TrickleError('TRICKLE_USAGE', `registration mode must be byoc or live-runner, got ${mode}`);
  return mode;
}

/**
 * The live-runner fields (app, metadata, price, unit, currency), checked as go-livepeer will
 * check them; a zero price is allowed (off-chain orchestrators ignore it) but warned about.
 */
export function resolveRunnerFields(ctx: CommandContext, s: RegistrationSettings, who: RunnerIdentity): LiveRunnerFields & { url: string } {
  const metadata = s.metadata ?? defaultMetadata({ description: s.description, processor: who.processor, version: who.version });
  checkMetadata(metadata);
  const price = checkPrice(s.pricePerUnit ?? '0');
  const currency = (s.priceCurrency ?? 'usd').trim().toLowerCase();
  if (currency !== 'usd') throw new TrickleError('TRICKLE_USAGE', `a live runner's price is in usd (go-livepeer accepts no other currency), got --price-currency ${s.priceCurrency}`);
  if (Number(price) === 0) {
    ctx.log.warn('live-runner price is 0: an on-chain orchestrator refuses a runner without a positive price (set --price-per-unit, usd per --price-unit)');
  }
  return {
    app: s.app ?? `live-video-to-video/${who.processor ?? s.name}`,
    label: s.name,
    version: who.version,
    metadata,
    price,
    currency,
    priceUnit: checkPriceUnit(s.priceUnit),
    proxy: s.proxy || undefined,
    url: s.url ?? who.defaultUrl,
  };
}

/** Checks the settings: a missing orchestrator URL or secret is a usage error naming it (exit 2). */
export function resolveRegistration(ctx: CommandContext, s: RegistrationSettings, who: RunnerIdentity): ResolvedRegistration {
  const mode = checkMode(s.mode);
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
  if (orch.username || orch.password) {
    ctx.addSecret(orch.password ? decodeURIComponent(orch.password) : undefined);
    throw new TrickleError('TRICKLE_USAGE', '--orch-url / ORCH_URL carries credentials (user:password@): the orchestrator takes its secret in Authorization, so they cannot be sent', {
      hint: 'remove them from the URL and give the secret with --orch-secret, --orch-secret-file or ORCH_SECRET',
    });
  }
  if (!secret) {
    throw new TrickleError('TRICKLE_USAGE', 'no orchestrator secret: set --orch-secret, --orch-secret-file or ORCH_SECRET');
  }
  if (!(s.capacity >= 1)) throw new TrickleError('TRICKLE_USAGE', `--capacity must be at least 1, got ${s.capacity}`);
  const shared = {
    mode,
    orchUrl: s.orchUrl,
    orchSecret: secret,
    name: s.name,
    description: s.description,
    capacity: s.capacity,
    priceScaling: s.priceScaling,
    runnerId: s.runnerId,
    insecure: s.insecure,
  };
  if (mode === 'byoc') {
    const price = Number(s.pricePerUnit ?? '0');
    if (!Number.isInteger(price) || !Number.isInteger(s.priceScaling)) {
      throw new TrickleError('TRICKLE_USAGE', 'byoc --price-per-unit and --price-scaling must be integers (the orchestrator parses int64)');
    }
    return {
      ...shared,
      url: s.url ?? who.defaultUrl,
      pricePerUnit: price,
      currency: s.priceCurrency ?? BYOC_DEFAULT_CURRENCY,
      app: '',
      metadata: '',
      price: String(price),
    };
  }
  const fields = resolveRunnerFields(ctx, s, who);
  return { ...shared, ...fields, pricePerUnit: Number(fields.price), currency: fields.currency ?? 'usd' };
}

/** An API token given as the empty string would mean "no authentication": refuse it (exit 2). */
export function checkApiToken(ctx: CommandContext, token: string | undefined): string | undefined {
  const emptyEnv = ctx.env.TRICKLE_API_TOKEN !== undefined && ctx.env.TRICKLE_API_TOKEN.trim() === '' && token === undefined;
  if (emptyEnv || (token !== undefined && token.trim() === '')) {
    throw new TrickleError('TRICKLE_USAGE', 'the API token is empty; give a non-empty --api-token (or TRICKLE_API_TOKEN), or none to run without authentication');
  }
  ctx.addSecret(token);
  return token;
}
