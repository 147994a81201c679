// POST B{channel}/{idx}: publish one segment, relaying each body chunk to readers as it arrives.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Channel } from './channel.js';
import { CLOSED_VALUE, closeGently, HDR_CLOSED, HDR_RESET, HDR_SEQ, httpError } from './replies.js';

export interface PostLimits {
  maxSegmentBytes: number;
  /** go-livepeer's hard-coded 10 s: interim `100 Continue` while no body byte has arrived. */
  continueIntervalMs: number;
}

/** Runs one publish: go-livepeer's Stream.handlePost plus our size cap and abort deviations. */
export function handlePost(channel: Channel, seq: number, req: IncomingMessage, res: ServerResponse, limits: PostLimits): void {
  const segment = channel.getForWrite(seq);
  const reset = req.headers[HDR_RESET];
  if (typeof reset === 'string' && reset !== '') channel.closeBelow(seq);

  let gotByte = false;
  let finished = false;
  const keepAlive = setInterval(() => {
    if (!gotByte && !finished && !res.headersSent && !res.destroyed) res.writeContinue();
  }, limits.continueIntervalMs);

  const finish = (): boolean => {
    if (finished) return false;
    finished = true;
    clearInterval(keepAlive);
    segment.offChange(onSegmentChange);
    return true;
  };

  // EOF before any byte: empty body, or the segment/channel closed while we waited.
  const zeroByteEnd = (): void => {
    if (!finish()) return;
    channel.markWritten(seq);
    const headers: Record<string, string> = { [HDR_SEQ]: String(seq), Connection: 'close', 'Content-Length': '0' };
    if (channel.closed) headers[HDR_CLOSED] = CLOSED_VALUE;
    segment.close();
    closeGently(req);
    res.writeHead(200, headers);
    res.end();
  };

  function onSegmentChange(): void {
    if (finished || gotByte) return;
    if (segment.closed) zeroByteEnd();
    else segment.onChange(onSegmentChange);
  }

  const tooLarge = (): void => {
    if (!finish()) return;
    // Deviation: refuse the oversized segment and close it so no subscriber waits forever.
    segment.close();
    closeGently(req);
    httpError(res, 413, 'Segment too large', { Connection: 'close' });
  };

  if (segment.closed) {
    zeroByteEnd();
    return;
  }
  segment.onChange(onSegmentChange);

  req.on('data', (chunk: Buffer) => {
    if (finished) return;
    if (!gotByte) {
      gotByte = true;
      clearInterval(keepAlive);
      channel.markWritten(seq);
    }
    if (segment.size + chunk.length > limits.maxSegmentBytes) {
      tooLarge();
      return;
    }
    segment.append(chunk);
  });
  req.on('end', () => {
    if (!gotByte) {
      zeroByteEnd();
      return;
    }
    if (!finish()) return;
    segment.close();
    res.writeHead(200, { [HDR_SEQ]: String(seq), 'Content-Length': '0' });
    res.end();
  });
  // Deviation: a body that breaks off mid-way closes its segment (readers get the partial bytes, then EOF).
  // A POST that dies before its first byte leaves the segment open, as in Go, so a retry on the same seq works.
  const aborted = (): void => {
    if (!finish()) return;
    if (gotByte) segment.close();
    if (!res.headersSent && !res.destroyed) httpError(res, 500, 'Server error');
  };
  req.on('error', aborted);
  res.on('close', aborted);
}
