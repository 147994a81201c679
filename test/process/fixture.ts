// A relay on loopback and a scratch directory for one test file: up before its tests, gone after them.
import { after, before } from 'node:test';
import type { Relay } from '../../src/relay/index.js';
import { startRelay } from '../helpers/relay.js';
import { scratch } from './media.js';

export interface Fixture {
  relay: Relay;
  dir: string;
}

/** Registers the file's before/after hooks; the object is filled in by `before` (where `setup` then makes its clips). */
export function relayAndScratch(setup?: (f: Fixture) => Promise<void>): Fixture {
  const f = {} as Fixture;
  let cleanup: (() => Promise<void>) | undefined;
  before(async () => {
    f.relay = await startRelay();
    const s = await scratch();
    f.dir = s.dir;
    cleanup = s.cleanup;
    await setup?.(f);
  });
  after(async () => {
    await f.relay?.close();
    await cleanup?.();
  });
  return f;
}
