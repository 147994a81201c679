// Reads request bodies for the worker API: size cap (413), JSON content type and parsing (400).
import type { IncomingMessage } from 'node:http';

/** JSON bodies larger than this are refused with 413 (no request the API takes comes near it). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Past this many bytes we stop draining an oversized body and drop the connection. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/** A failure with the HTTP status the route should answer. */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

/** Reads the whole body (at most `limit` bytes kept); an oversized body is drained, then refused. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    let tooLarge = Number.isFinite(declared) && declared > limit;
    const chunks: Buffer[] = [];
    let total = 0;
    req.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) tooLarge = true;
      if (tooLarge) {
        chunks.length = 0;
        if (total > MAX_DRAIN_BYTES) req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) reject(new BodyError(413, `request body exceeds ${limit} bytes`));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new BodyError(400, 'request body was not completely received'));
    });
  });
}

/** Whether the request says its body is JSON (PyTrickle requires `application/json…`). */
export function isJsonContentType(req: IncomingMessage): boolean {
  const ct = String(req.headers['content-type'] ?? '').toLowerCase();
  return ct.startsWith('application/json');
}

/** Reads and parses a JSON body: 413 when too large, 400 on a wrong content type or malformed JSON. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const buf = await readBody(req);
  if (!isJsonContentType(req)) {
    throw new BodyError(400, `Content-Type must be application/json, got ${req.headers['content-type'] ?? 'none'}`);
  }
  const text = buf.toString('utf8');
  if (text.trim() === '') throw new BodyError(400, 'request body is empty; expected a JSON object');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BodyError(400, `malformed JSON: ${(err as Error).message}`);
  }
}
