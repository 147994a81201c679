// GET B{channel}/{idx}: 470 / closed-miss answers, or stream one segment from byte 0 to its close.
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Channel } from './channel.js';
import type { Segment } from './segment.js';
import { CLOSED_VALUE, HDR_CLOSED, HDR_LATEST, HDR_SEQ, plainBody } from './replies.js';

/** Answers a subscribe request; `rawIdx` is echoed on a miss exactly as the client sent it. */
export function handleGet(channel: Channel, seq: number, rawIdx: string, res: ServerResponse): void {
  const { segment, latest, closed } = channel.getForRead(channel.resolveSeq(seq));
  if (!segment) {
    const headers: Record<string, string> = { [HDR_LATEST]: String(latest), [HDR_SEQ]: rawIdx };
    if (closed) headers[HDR_CLOSED] = CLOSED_VALUE;
    plainBody(res, closed ? 200 : 470, 'Entry not found', headers);
    return;
  }
  streamSegment(channel, segment, latest, res);
}

/**
 * Streams every byte of `segment` from offset 0, live, until it closes. No headers go out
 * until the first byte exists (or the segment closes empty). Each reader keeps only its own
 * chunk index; it waits for 'drain' when its socket is slow, so it never holds up others.
 */
function streamSegment(channel: Channel, segment: Segment, latest: number, res: ServerResponse): void {
  let next = 0;
  let done = false;
  // Once headers are out, chunks go straight to the socket with framing shared by all readers.
  let raw: Socket | null = null;
  let drainOn: NodeJS.EventEmitter = res;
  let headerCork = false;
  const pump = (): void => {
    if (done) return;
    const chunks = segment.chunks;
    if (next < chunks.length) {
      if (!res.headersSent) {
        const headers: Record<string, string> = { [HDR_SEQ]: String(segment.seq) };
        if (channel.mimeType) headers['Content-Type'] = channel.mimeType;
        if (segment.seq !== latest) headers[HDR_LATEST] = String(latest);
        res.writeHead(200, headers);
        raw = directSocket(res);
        if (raw) {
          drainOn = raw;
          headerCork = true;
        }
      }
      const ok = raw ? writeFramed(raw, segment, next, chunks.length) : writeChunks(res, chunks, next, chunks.length);
      next = chunks.length;
      // directSocket corked the socket so the headers leave in the same packet as the first bytes.
      if (raw && headerCork) {
        headerCork = false;
        raw.uncork();
      }
      if (!ok) {
        drainOn.once('drain', pump);
        return;
      }
    }
    if (!segment.closed) {
      segment.onChange(pump);
      return;
    }
    done = true;
    if (!res.headersSent) {
      // Closed without a single byte: Go re-reads nextWrite and the closed flag here.
      const headers: Record<string, string> = { [HDR_SEQ]: String(segment.seq), [HDR_LATEST]: String(channel.nextWrite), 'Content-Length': '0' };
      if (channel.closed) headers[HDR_CLOSED] = CLOSED_VALUE;
      res.writeHead(200, headers);
    }
    res.end();
  };
  res.once('close', () => {
    done = true;
    segment.offChange(pump);
    drainOn.off('drain', pump);
  });
  pump();
}

const CRLF = Buffer.from('\r\n', 'latin1');

/**
 * The response's socket when we may write chunked frames to it ourselves (headers flushed,
 * chunked encoding, a body allowed and the socket owned by this response); otherwise null.
 */
function directSocket(res: ServerResponse): Socket | null {
  const socket = res.socket as (Socket & { _httpMessage?: unknown }) | null;
  if (!socket || socket._httpMessage !== res || res.req?.method === 'HEAD' || !res.chunkedEncoding) return null;
  socket.cork();
  res.flushHeaders();
  return socket;
}

/** Writes chunks [from, to) as HTTP chunked frames in one corked batch; false when the socket wants a drain. */
function writeFramed(socket: Socket, segment: Segment, from: number, to: number): boolean {
  socket.cork();
  let ok = true;
  for (let i = from; i < to; i++) {
    socket.write(segment.heads[i]!);
    socket.write(segment.chunks[i]!);
    ok = socket.write(CRLF);
  }
  socket.uncork();
  return ok && !socket.writableNeedDrain;
}

/** The portable path through ServerResponse (HEAD, pipelined requests, HTTP/1.0). */
function writeChunks(res: ServerResponse, chunks: Buffer[], from: number, to: number): boolean {
  if (to - from > 1) res.cork();
  let ok = true;
  for (let i = from; i < to; i++) ok = res.write(chunks[i]!);
  if (to - from > 1) res.uncork();
  return ok;
}
