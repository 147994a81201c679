// One HTTP call to the orchestrator: per-attempt timeout, AbortSignal, TLS verified unless insecure.
import { Agent, fetch, type Dispatcher } from 'undici';
import { isAbortError, TrickleError } from '../errors.js';

export interface OrchRequest {
  url: string;
  method?: 'POST' | 'DELETE';
  /** Extra headers (the orchestrator or heartbeat secret goes raw in Authorization: no "Bearer"). */
  headers?: Record<string, string>;
  /** JSON bodies are sent as application/json unless `contentType` says otherwise; none for no body. */
  body?: string;
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

/** Sends one request; network failures and timeouts become TRICKLE_CONNECT / TRICKLE_TIMEOUT. */
export async function orchRequest(req: OrchRequest): Promise<OrchResponse> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  const headers: Record<string, string> = { ...req.headers };
  if (req.body !== undefined) headers['Content-Type'] = req.contentType ?? 'application/json';
  try {
    const res = await fetch(req.url, { method: req.method ?? 'POST', headers, body: req.body, signal, dispatcher: req.dispatcher });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    if (req.signal?.aborted) throw new TrickleError('TRICKLE_ABORTED', 'orchestrator request aborted', { cause: err });
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

/** The first line of an orchestrator's error text, for messages (Go's http.Error ends it with a newline). */
export function replyText(text: string): string {
  return text.trim().split('\n')[0]!.slice(0, 200);
}
