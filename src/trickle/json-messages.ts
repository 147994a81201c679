// JSON message channels (control, O2R): one JSON object per segment, read off a Subscriber.
import type { Logger } from '../logger.js';
import type { Subscriber } from './subscriber.js';

/** Messages larger than this are not read (a control update or an orchestrator event is small). */
const MAX_MESSAGE = 1 << 20;

async function readAll(body: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > MAX_MESSAGE) throw new Error(`message over ${MAX_MESSAGE} bytes`);
    parts.push(Buffer.from(chunk));
  }
  return Buffer.concat(parts).toString('utf8');
}

/** True for exactly `{"keep":"alive"}` (the 10 s keep-alive of gateways and orchestrators). */
export function isKeepAlive(msg: unknown): boolean {
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return false;
  const keys = Object.keys(msg);
  return keys.length === 1 && (msg as Record<string, unknown>).keep === 'alive';
}

/**
 * The JSON objects of a channel, in order, with their seq; a message that cannot be read, is
 * not JSON or is not an object is skipped with a warning naming `label`. Ends with the channel.
 */
export async function* jsonMessages(sub: Subscriber, log: Logger, label: string): AsyncGenerator<{ seq: number; message: Record<string, unknown> }> {
  for (;;) {
    const seg = await sub.next();
    if (!seg) return;
    let text: string;
    try {
      text = await readAll(seg.body);
    } catch (err) {
      log.warn(`${label}: could not read a message`, { seq: seg.seq, error: (err as Error).message });
      continue;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      log.warn(`${label}: skipping a message that is not JSON`, { seq: seg.seq, bytes: text.length });
      continue;
    }
    if (!msg || typeof msg !== 'object' || Array.isArray(msg)) {
      log.warn(`${label}: skipping a message that is not a JSON object`, { seq: seg.seq });
      continue;
    }
    yield { seq: seg.seq, message: msg as Record<string, unknown> };
  }
}
