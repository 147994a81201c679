// JSON replies of the worker API (aiohttp's json_response shape: application/json; charset=utf-8).
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Sends `body` as JSON with `status`; HEAD requests get the headers only. */
export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** `{"status":"error","message":…}` plus any extra fields (current_state). */
export function sendError(req: IncomingMessage, res: ServerResponse, status: number, message: string, extra: Record<string, unknown> = {}): void {
  // A refused request may still be sending its body; let Node drain it instead of resetting the socket.
  if (!req.complete) req.resume();
  sendJson(req, res, status, { status: 'error', message, ...extra });
}
