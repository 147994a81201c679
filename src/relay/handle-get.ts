// GET B{channel}/{idx}: 470 / closed-miss answers, or stream one segment from byte 0 to its close.
import type { ServerResponse } from 'node:http';
import type { Channel } from './channel.js';
import type { Segment } from './segment.js';
import { CLOSED_VALUE, HDR_CLOSED, HDR_LATEST, HDR_SEQ, plainBody } from './replies.js';

/** Answers a subscribe request; `rawIdx` is echoed on a miss exactly as the client sent it. */
export function handleGet(channel: Channel, seq: number, rawIdx: string, res: ServerResponse): void {
  const { segment, latest, closed } = channel.getForRead(channel.resolveRead(seq));
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
  const pump = (): void => {
    if (done) return;
    const chunks = segment.chunks;
    if (next < chunks.length) {
      if (!res.headersSent) {
        const headers: Record<string, string> = { [HDR_SEQ]: String(segment.seq) };
        if (channel.mimeType) headers['Content-Type'] = channel.mimeType;
        if (segment.seq !== latest) headers[HDR_LATEST] = String(latest);
        res.writeHead(200, headers);
      }
      const batch = chunks.length - next > 1;
      if (batch) res.cork();
      let ok = true;
      while (ok && next < chunks.length) ok = res.write(chunks[next++]!);
      if (batch) res.uncork();
      if (!ok) {
        res.once('drain', pump);
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
    res.off('drain', pump);
  });
  pump();
}
