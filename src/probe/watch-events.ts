// Follows a stream's events channel while the probe reads: counts events by type and collects the states of `status` events.
import { silentLogger, type Logger } from '../logger.js';
import { waitForChannel } from '../pipeline/wait-channel.js';
import { jsonMessages } from '../trickle/json-messages.js';
import { Subscriber } from '../trickle/subscriber.js';
import type { EventsProbe } from './types.js';

/** The event inside PyTrickle's envelope `{"event": {…}, "queue_event_type": …}`, or the message itself when it is bare. */
export function unwrapEvent(message: Record<string, unknown>): Record<string, unknown> {
  const inner = message.event;
  return inner && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Record<string, unknown>) : message;
}

/** On stop, how long to wait for the first event if none has been read yet (the state right now). */
const FIRST_EVENT_GRACE_MS = 2000;

export interface EventsWatch {
  /** Stops following (idempotent) and returns what was seen. */
  stop(): Promise<EventsProbe>;
}

/**
 * Why: a CI job asks "did the worker say ONLINE while its output was good", so states are
 * read beside the media. Starts at the latest event (the state right now), which a short
 * probe still waits a moment for; a channel that does not exist yet is waited for. States
 * are plain strings: new ones need no change here.
 */
export function watchEvents(url: string, opts: { log?: Logger } = {}): EventsWatch {
  const log = opts.log ?? silentLogger;
  const seen: EventsProbe = { url, events: 0, types: {}, states: [], lastState: null };
  const quit = new AbortController();
  let sub: Subscriber | undefined;
  let firstRead!: () => void;
  const first = new Promise<void>((resolve) => (firstRead = resolve));
  const reading = (async () => {
    if (!(await waitForChannel(url, { signal: quit.signal }))) return;
    sub = new Subscriber({ url, start: -2, log });
    if (quit.signal.aborted) return void (await sub.close());
    for await (const { message } of jsonMessages(sub, log, 'events')) {
      const event = unwrapEvent(message);
      const type = typeof event.type === 'string' ? event.type : 'unknown';
      seen.events++;
      firstRead();
      seen.types[type] = (seen.types[type] ?? 0) + 1;
      if (type !== 'status' || event.state === undefined || event.state === null) continue;
      const state = String(event.state);
      if (!seen.states.includes(state)) seen.states.push(state);
      seen.lastState = state;
      log.debug('stream state', { state });
    }
  })()
    .catch((err: Error) => {
      if (!quit.signal.aborted) log.warn('events channel: stopped reading', { url, error: err.message });
    })
    .finally(() => firstRead());
  let stopping: Promise<EventsProbe> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([first, new Promise((resolve) => (timer = setTimeout(resolve, FIRST_EVENT_GRACE_MS)))]);
        clearTimeout(timer);
        quit.abort();
        await sub?.close();
        await reading;
        return seen;
      })();
      return stopping;
    },
  };
}
