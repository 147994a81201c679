// Maps a request to go-livepeer's route table under the base path and dispatches it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import { handleGet } from './handle-get.js';
import { handlePost, type PostLimits } from './handle-post.js';
import { runHook, type RelayHooks } from './hooks.js';
import type { ChannelRegistry } from './registry.js';
import type { RetainedBytes } from './retained.js';
import { CLOSED_VALUE, closeGently, HDR_CLOSED, HDR_LATEST, httpError, plainBody } from './replies.js';

export interface RouterOptions extends PostLimits {
  basePath: string;
  autocreate: boolean;
  hooks: RelayHooks;
  log: Logger;
  /** The bytes every channel retains, and their cap: a new segment over it is refused with 503. */
  retained: RetainedBytes;
}

/**
 * Parses `{idx}` like Go's strconv.Atoi, then applies our deviation: only -1 (and -2 on GET)
 * are accepted among negatives. Returns undefined for `400 Invalid idx`.
 */
export function parseIdx(raw: string, allowCurrent: boolean): number | undefined {
  if (!/^[+-]?\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) return undefined;
  if (n >= 0 || n === -1 || (n === -2 && allowCurrent)) return n;
  return undefined;
}

const notFoundPage = (res: ServerResponse) => httpError(res, 404, '404 page not found');
const methodNotAllowed = (res: ServerResponse, allow: string) => httpError(res, 405, 'Method Not Allowed', { Allow: allow });

/** Builds the request listener for node:http. */
export function createRouter(registry: ChannelRegistry, options: RouterOptions) {
  const { basePath, autocreate, hooks } = options;
  // A bug in one request must never take the relay (and every other stream) down.
  const fail = (res: ServerResponse, err: unknown): void => {
    options.log.warn('relay request failed', { err: (err as Error)?.message ?? String(err) });
    if (!res.headersSent && !res.destroyed) httpError(res, 500, 'Server error');
    else res.destroy();
  };
  return (req: IncomingMessage, res: ServerResponse): void => {
    try {
      route(req, res)?.catch((err: unknown) => fail(res, err));
    } catch (err) {
      fail(res, err);
    }
  };

  function route(req: IncomingMessage, res: ServerResponse): Promise<void> | void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q >= 0 ? url.slice(0, q) : url;
    if (!pathname.startsWith(basePath)) return notFoundPage(res);
    const parts = pathname.slice(basePath.length).split('/');
    if (parts.length > 2 || parts.some((p) => p === '')) return notFoundPage(res);
    let name: string;
    let rawIdx: string | undefined;
    try {
      name = decodeURIComponent(parts[0]!);
      rawIdx = parts.length === 2 ? decodeURIComponent(parts[1]!) : undefined;
    } catch {
      return httpError(res, 400, 'Bad Request');
    }
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (rawIdx === undefined) {
      if (method === 'POST') return createChannel(name, req, res);
      if (method === 'DELETE') return deleteChannel(name, res);
      return methodNotAllowed(res, 'DELETE, POST');
    }
    if (method === 'GET') return getSegment(name, rawIdx, res);
    if (method === 'POST') return postSegment(name, rawIdx, req, res);
    if (method === 'DELETE') return deleteSegment(name, rawIdx, res);
    return methodNotAllowed(res, 'DELETE, GET, HEAD, POST');
  }

  async function createChannel(name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume();
    if (!(await runHook(hooks.beforeCreate, name, res))) return;
    if (!autocreate) {
      if (!registry.get(name)) return httpError(res, 404, 'Stream not found');
    } else {
      const mime = req.headers['expect-content'];
      registry.getOrCreate(name, typeof mime === 'string' ? mime : '');
    }
    res.writeHead(200, { 'Content-Length': '0' });
    res.end();
  }

  async function deleteChannel(name: string, res: ServerResponse): Promise<void> {
    if (!(await runHook(hooks.beforeDelete, name, res))) return;
    if (!registry.remove(name)) return httpError(res, 400, 'Invalid stream');
    options.log.debug('channel deleted', { channel: name });
    res.writeHead(200, { 'Content-Length': '0' });
    res.end();
  }

  function getSegment(name: string, rawIdx: string, res: ServerResponse): void {
    const channel = registry.get(name);
    if (!channel) return httpError(res, 404, 'Stream not found');
    if (rawIdx === 'next') {
      const headers: Record<string, string> = { [HDR_LATEST]: String(channel.nextWrite) };
      if (channel.closed) headers[HDR_CLOSED] = CLOSED_VALUE;
      return plainBody(res, 200, String(channel.nextWrite), headers);
    }
    const seq = parseIdx(rawIdx, true);
    if (seq === undefined) return httpError(res, 400, 'Invalid idx');
    handleGet(channel, seq, rawIdx, res);
  }

  function postSegment(name: string, rawIdx: string, req: IncomingMessage, res: ServerResponse): void {
    const mime = req.headers['content-type'];
    const channel = autocreate ? registry.getOrCreate(name, mime ?? '') : registry.get(name);
    if (!channel) {
      closeGently(req);
      return httpError(res, 404, 'Stream not found', { Connection: 'close' });
    }
    const seq = parseIdx(rawIdx, false);
    if (seq === undefined) {
      req.resume();
      return httpError(res, 400, 'Invalid idx');
    }
    const target = channel.resolveSeq(seq);
    const freed = channel.freedByWriting(target);
    if (freed !== undefined && options.retained.refuses(freed)) {
      // Deviation: a memory bound. Segments already being written go on; only new ones wait.
      options.log.warn('relay over its retained-bytes cap; new segment refused', { channel: name, seq: target, retained: options.retained.used });
      closeGently(req);
      return httpError(res, 503, 'Relay is over its retained-bytes limit', { Connection: 'close', 'Retry-After': '1' });
    }
    handlePost(channel, target, req, res, options);
  }

  function deleteSegment(name: string, rawIdx: string, res: ServerResponse): void {
    const channel = registry.get(name);
    if (!channel) return httpError(res, 404, 'Stream not found');
    const seq = parseIdx(rawIdx, false);
    if (seq === undefined || seq < 0) return httpError(res, 400, 'Invalid idx');
    const segment = channel.retained(seq);
    if (!segment) return httpError(res, 400, 'Nonexistent segment');
    segment.close();
    res.writeHead(200, { 'Content-Length': '0' });
    res.end();
  }
}
