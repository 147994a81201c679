// A subscribed segment's body: waits for its first chunk (to skip empty segments) and turns a cut-off connection into a short segment.
import { PassThrough, type Readable } from 'node:stream';

/**
 * Resolves with the body's first chunk, or null when the body ends empty. The chunk is
 * consumed; `streamSegmentBody` puts it back in front.
 */
export function firstChunk(body: Readable): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      body.off('readable', onReadable);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
    };
    const onReadable = () => {
      const chunk = body.read() as Buffer | null;
      if (chunk !== null) {
        cleanup();
        resolve(chunk);
      }
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onClose = () => {
      cleanup();
      resolve(null);
    };
    body.on('readable', onReadable);
    body.once('end', onEnd);
    body.once('error', onError);
    body.once('close', onClose);
  });
}

/**
 * The stream a caller reads: `first`, then the rest of `body` as it arrives. A connection
 * that breaks mid-segment ends the stream early instead of erroring it (`onCut` is told), so
 * a reader that concatenates segments keeps going with the next one.
 */
export function streamSegmentBody(first: Buffer, body: Readable, onCut: (err: Error) => void): Readable {
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  out.write(first);
  body.on('error', (err) => {
    body.unpipe(out);
    onCut(err);
    if (!out.writableEnded) out.end();
  });
  body.pipe(out);
  out.on('close', () => {
    if (!body.destroyed) body.destroy();
  });
  return out;
}
