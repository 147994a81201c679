// A tiny HTTP server answering GET /metrics (for `trickle process --metrics-port`); 404 elsewhere.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FieldError } from '../errors.js';
import type { Metrics } from './registry.js';

export interface MetricsServer {
  /** http://host:port/metrics */
  url: string;
  close(): Promise<void>;
}

/** Listens on `host` (default 127.0.0.1) and `port` (0 picks a free one). */
export async function serveMetrics(metrics: Metrics, opts: { port: number; host?: string }): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://metrics').pathname;
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: only GET /metrics is served here\n');
      return;
    }
    metrics.text().then(
      (body) => {
        res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(body) });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(err as Error)?.message ?? err}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new FieldError('TRICKLE_PORT_IN_USE', ['metricsPort'], () => `metrics port ${opts.port} is already in use`, { cause: err })
          : err,
      ),
    );
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
