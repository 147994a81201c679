// createRelay: the trickle relay's HTTP server, its options, lifecycle and idle sweep timer.
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { FieldError, TrickleError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { RelayHooks } from './hooks.js';
import { ChannelRegistry } from './registry.js';
import { defaultMaxRetainedBytes, RetainedBytes } from './retained.js';
import { createRouter } from './router.js';

export interface RelayOptions {
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 3389; 0 picks a free one). */
  port?: number;
  /** Base path of every channel (default '/'); normalised to a leading and trailing slash. */
  path?: string;
  /** Create channels on first POST (default true). */
  autocreate?: boolean;
  /** Publish channel additions/removals on `_changes` (default false). */
  changefeed?: boolean;
  /** Delete channels with no writes for this long (default 300000). */
  idleTimeoutMs?: number;
  /** How often the idle sweep runs (default 60000). */
  sweepIntervalMs?: number;
  /** Refuse segments larger than this with 413 (default 256 MiB). */
  maxSegmentBytes?: number;
  /**
   * While the segments every channel retains add up to more than this, a POST starting a new
   * segment is answered 503 (segments already being written go on). Default: a quarter of memory.
   */
  maxRetainedBytes?: number;
  /** Interval of the `100 Continue` keep-alive on a POST with no body yet (default 10000; go-livepeer's value). */
  continueIntervalMs?: number;
  hooks?: RelayHooks;
  log?: Logger;
}

export interface Relay {
  /** Base URL including the path, e.g. http://127.0.0.1:3389/ */
  readonly url: string;
  readonly port: number;
  /** The URL of channel `name` on this relay. */
  channelUrl(name: string): string;
  /**
   * In-process channel management for a program embedding the relay (what an orchestrator's
   * local publisher does): works whether or not autocreate is on.
   */
  readonly channels: LocalChannels;
  /** Closes every channel (readers get EOF), the server and its sockets. Idempotent, bounded. */
  close(): Promise<void>;
}

export interface LocalChannels {
  /** Creates `name` with its MIME type (no-op when it exists). */
  create(name: string, mimeType: string): void;
  /** Closes and removes `name` (end of stream for its readers); false when there was none. */
  remove(name: string): boolean;
  has(name: string): boolean;
  /** Appends one complete segment (one message on a JSON channel); false when the channel is missing or closed. */
  write(name: string, bytes: Uint8Array): boolean;
}

export const DEFAULT_PORT = 3389;
export const DEFAULT_MAX_SEGMENT_BYTES = 256 * 1024 * 1024;

/** Turns '', 'x', '/x' or 'x/' into '/x/'. */
export function normaliseBasePath(path: string | undefined): string {
  const trimmed = (path ?? '/').replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '/' : `/${trimmed}/`;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts a relay and resolves once it is listening. */
export async function createRelay(options: RelayOptions = {}): Promise<Relay> {
  const host = options.host ?? '127.0.0.1';
  const basePath = normaliseBasePath(options.path);
  const log = options.log ?? silentLogger;
  const idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
  const retained = new RetainedBytes(options.maxRetainedBytes ?? defaultMaxRetainedBytes());
  const registry = new ChannelRegistry({ changefeed: options.changefeed ?? false, idleTimeoutMs, retained });
  const router = createRouter(registry, {
    retained,
    basePath,
    autocreate: options.autocreate ?? true,
    hooks: options.hooks ?? {},
    log,
    maxSegmentBytes: options.maxSegmentBytes ?? DEFAULT_MAX_SEGMENT_BYTES,
    continueIntervalMs: options.continueIntervalMs ?? 10_000,
  });
  const server: Server = createServer({ noDelay: true, keepAlive: true, highWaterMark: 256 * 1024 } as object, router);
  // Preconnected GETs and POSTs legitimately sit idle for a long time: never time them out.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  server.timeout = 0;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (err, socket) => {
    log.debug('relay client error', { err: (err as Error).message });
    if (socket.writable && !(socket as Socket).destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') {
        const why = err.code === 'EACCES' ? 'permission denied' : 'address in use';
        reject(new FieldError('TRICKLE_PORT_IN_USE', ['port'], () => `cannot listen on ${host}:${options.port ?? DEFAULT_PORT}: ${why}`, {
          cause: err,
          hint: ([f]) => `pick another ${f}, or 0 for a free one`,
          details: { host, port: options.port ?? DEFAULT_PORT },
        }));
      } else {
        reject(new TrickleError('TRICKLE_INTERNAL', `cannot listen on ${host}: ${err.message}`, { cause: err }));
      }
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(options.port ?? DEFAULT_PORT, host);
  });
  server.on('error', (err) => log.warn('relay server error', { err: err.message }));

  const sweep = setInterval(() => {
    const removed = registry.sweep();
    if (removed.length > 0) log.info('idle channels removed', { channels: removed });
  }, options.sweepIntervalMs ?? 60_000);
  sweep.unref();

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? DEFAULT_PORT);
  const url = `http://${urlHost(host)}:${port}${basePath}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    port,
    channelUrl: (name: string) => url + encodeURIComponent(name),
    channels: {
      create: (name, mimeType) => void registry.getOrCreate(name, mimeType),
      remove: (name) => registry.remove(name),
      has: (name) => registry.get(name) !== undefined,
      write: (name, bytes) => registry.writeSegment(name, bytes),
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(sweep);
        registry.closeAll();
        server.close(() => resolve());
        server.closeIdleConnections();
        // Readers that just got EOF become idle a moment later; let them go too.
        setTimeout(() => server.closeIdleConnections(), 50).unref();
        // Readers were just sent EOF; give their last bytes a moment, then cut whatever is left.
        const force = setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, 500);
        force.unref();
      });
      return closing;
    },
  };
}
