// BYOC capability registration (PyTrickle-compatible): POST /capability/register, retries, 400 = refused.
import { TrickleError, isTrickleError } from '../errors.js';
import { silentLogger } from '../logger.js';
import { insecureDispatcher, orchEndpoint, orchRequest, replyText } from './http.js';
import { sleep as realSleep } from '../trickle/transport.js';
import type { RegistrationOptions } from './types.js';

/** The currency go-livepeer prices a capability in when none is given (a fixed wei price). */
export const BYOC_DEFAULT_CURRENCY = 'wei';

/**
 * The JSON body go-livepeer's ExternalCapability decodes: prices are int64; `token` is what the
 * orchestrator sends back as a bearer token, so a protected worker accepts its calls.
 */
export function byocBody(opts: RegistrationOptions): Record<string, unknown> {
  return {
    url: opts.url,
    name: opts.name,
    description: opts.description,
    capacity: opts.capacity,
    price_per_unit: Math.trunc(opts.pricePerUnit),
    price_scaling: Math.trunc(opts.priceScaling),
    currency: opts.currency ?? BYOC_DEFAULT_CURRENCY,
    ...(opts.token ? { token: opts.token } : {}),
  };
}

/** Registers the capability: up to `attempts` tries `retryDelayMs` apart; a 400 stops at once (exit 4). */
export async function registerByoc(opts: RegistrationOptions): Promise<void> {
  const log = opts.log ?? silentLogger;
  log.secret?.(opts.token);
  const attempts = opts.attempts ?? 3;
  const wait = opts.sleep ?? realSleep;
  const dispatcher = opts.insecure ? insecureDispatcher() : undefined;
  const url = orchEndpoint(opts.orchUrl, '/capability/register');
  const body = JSON.stringify(byocBody(opts));
  let last = '';
  try {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await wait(opts.retryDelayMs ?? 2000, opts.signal);
      try {
        const res = await orchRequest({ url, headers: { Authorization: opts.orchSecret }, body, timeoutMs: opts.attemptTimeoutMs ?? 1500, signal: opts.signal, dispatcher });
        if (res.status === 200) {
          log.info('registered with orchestrator', { mode: 'byoc', orchestrator: opts.orchUrl, name: opts.name, url: opts.url, capacity: opts.capacity });
          return;
        }
        if (res.status === 400) {
          const secretRefused = /invalid authorization/.test(res.text);
          throw new TrickleError('TRICKLE_REGISTRATION_REJECTED', secretRefused ? 'orchestrator rejected the secret (400 invalid authorization)' : `orchestrator refused the registration (400 ${replyText(res.text)})`, {
            hint: secretRefused ? 'check ORCH_SECRET / --orch-secret' : 'the orchestrator could not use the capability fields (price, currency)',
            details: { status: 400, orchestrator: opts.orchUrl },
          });
        }
        last = `HTTP ${res.status} ${replyText(res.text)}`;
      } catch (err) {
        if (isTrickleError(err, 'TRICKLE_REGISTRATION_REJECTED', 'TRICKLE_ABORTED')) throw err;
        last = (err as Error).message;
      }
      log.warn('registration attempt failed', { attempt, attempts, error: last });
    }
  } finally {
    await dispatcher?.close();
  }
  throw new TrickleError('TRICKLE_REGISTRATION_FAILED', `registration with ${opts.orchUrl} failed after ${attempts} attempts: ${last}`, {
    hint: 'is ORCH_URL reachable from here?',
    details: { orchestrator: opts.orchUrl },
  });
}

/** Removes the capability (body: the raw name, as the orchestrator expects). */
export async function unregisterByoc(opts: RegistrationOptions): Promise<void> {
  const dispatcher = opts.insecure ? insecureDispatcher() : undefined;
  try {
    const res = await orchRequest({
      url: orchEndpoint(opts.orchUrl, '/capability/unregister'),
      headers: { Authorization: opts.orchSecret },
      body: opts.name,
      contentType: 'text/plain',
      // Exit-time call on a possibly busy machine: allow longer than a registration attempt.
      timeoutMs: 5000,
      dispatcher,
    });
    if (res.status !== 200) {
      throw new TrickleError('TRICKLE_REGISTRATION_FAILED', `unregister answered HTTP ${res.status}`, { details: { status: res.status } });
    }
    (opts.log ?? silentLogger).info('unregistered from orchestrator', { mode: 'byoc', name: opts.name });
  } finally {
    await dispatcher?.close();
  }
}
