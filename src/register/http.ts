// One HTTP call to the orchestrator: per-attempt timeout, AbortSignal, TLS verified unless insecure.
import { Agent, fetch, type Dispatcher } from 'undici';
import { isAbortError, TrickleError } from '../errors.js';

export interface OrchRequest {
  url: string;
  /** The orchestrator (or heartbeat) secret, sent raw: no "Bearer". */
  authorization: string;
  body: string;
  contentType?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
}

export interface OrchResponse {
  status: number;
  text: string;
}

/** A dispatcher that skips certificate checks, only for --insecure. */
export function insecureDispatcher(): Dispatcher {
  return new Agent({ connect: { rejectUnauthorized: false } });
}

/** POSTs to the orchestrator; network failures and timeouts become TRICKLE_CONNECT / TRICKLE_TIMEOUT. */
export async function postOrch(req: OrchRequest): Promise<OrchResponse> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  try {
    const res = await fetch(req.url, {
      method: 'POST',
      headers: { Authorization: req.authorization, 'Content-Type': req.contentType ?? 'application/json' },
      body: req.body,
      signal,
      dispatcher: req.dispatcher,
    });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    if (req.signal?.aborted) throw new TrickleError('TRICKLE_ABORTED', 'registration aborted', { cause: err });
    if (timeout.aborted || isAbortError(err)) {
      throw new TrickleError('TRICKLE_TIMEOUT', `orchestrator did not answer within ${req.timeoutMs} ms`, { cause: err, details: { url: req.url } });
    }
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new TrickleError('TRICKLE_CONNECT', `cannot reach the orchestrator: ${cause?.code ?? cause?.message ?? (err as Error).message}`, {
      cause: err,
      details: { url: req.url },
    });
  }
}


/** The orchestrator URL joined with a path, whatever trailing slash the user typed. */
export function orchEndpoint(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}
