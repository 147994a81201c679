// The exact response shapes of go-livepeer's relay (http.Error bodies, the sniffed "Entry not found").
import type { IncomingMessage, ServerResponse } from 'node:http';

export const HDR_SEQ = 'Lp-Trickle-Seq';
export const HDR_LATEST = 'Lp-Trickle-Latest';
export const HDR_CLOSED = 'Lp-Trickle-Closed';
export const HDR_RESET = 'lp-trickle-reset';
export const CLOSED_VALUE = 'terminated';

/** Go's http.Error: text/plain, nosniff, message plus newline. */
export function httpError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = message + '\n';
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** A small body written with Go's Write (no newline; Go sniffs it to text/plain). */
export function plainBody(res: ServerResponse, status: number, body: string, headers: Record<string, string | number>): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Prepares a `Connection: close` response while the request body may still be streaming in.
 * Destroying a socket with unread input sends a TCP reset that can swallow the response, so
 * the socket is half-closed, input is discarded for a grace period, then it is destroyed.
 * Call before ending the response.
 */
export function closeGently(req: IncomingMessage, graceMs = 2000): void {
  const socket = req.socket;
  const patched = socket as typeof socket & { destroySoon?: () => void };
  patched.destroySoon = () => {
    if (socket.destroyed) return;
    socket.end();
    const timer = setTimeout(() => socket.destroy(), graceMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    socket.once('end', () => socket.destroy());
    socket.resume();
  };
  req.removeAllListeners('data');
  req.resume();
}
