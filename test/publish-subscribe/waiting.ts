// Test helpers for CLI children: wait for a line on stderr, or for a channel a child publishes to.
import { setTimeout as delay } from 'node:timers/promises';
import type { ResultPromise } from 'execa';

/** Resolves once the child's stderr matches `pattern`; rejects after `ms`. */
export async function waitForStderr(child: ResultPromise, pattern: RegExp, ms = 30_000): Promise<void> {
  let text = '';
  const onData = (b: Buffer) => (text += b.toString());
  child.stderr!.on('data', onData);
  try {
    for (const end = Date.now() + ms; !pattern.test(text); await delay(100)) {
      if (Date.now() > end) throw new Error(`child never printed ${pattern} on stderr; got: ${text}`);
    }
  } finally {
    child.stderr!.off('data', onData);
  }
}

/** Resolves once channel `url` exists on its relay (a publisher's preconnected POST creates it). */
export async function waitForChannelToExist(url: string, ms = 30_000): Promise<void> {
  for (const end = Date.now() + ms; ; await delay(100)) {
    const r = await fetch(`${url}/next`).catch(() => undefined);
    await r?.body?.cancel();
    if (r?.status === 200) return;
    if (Date.now() > end) throw new Error(`channel ${url} never appeared`);
  }
}
