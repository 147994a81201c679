// One registration interface over both modes: once (`--once`), or kept alive until the signal fires, then unregistered.
import { isTrickleError } from '../errors.js';
import { silentLogger } from '../logger.js';
import { registerByoc, unregisterByoc } from './byoc.js';
import { sleep as realSleep } from '../trickle/transport.js';
import { LiveRunner, type LiveRunnerOptions } from './live-runner/runner.js';
import type { RegistrationMode, RegistrationOptions } from './types.js';
import type { LiveRunnerFields } from './live-runner/wire.js';

/** What a live runner adds to the shared options (all optional: defaults come from the shared ones). */
export type LiveRunnerExtras = Partial<Omit<LiveRunnerOptions, keyof RegistrationOptions>>;

export interface KeepRegisteredOptions extends RegistrationOptions, LiveRunnerExtras {
  mode: RegistrationMode;
  /** byoc registers only once this settles (the worker finished load()); live-runner reports `loading` meanwhile. */
  ready?: Promise<void>;
  /** Cap of the backoff between failed registrations (default 30 s). */
  maxBackoffMs?: number;
}

export interface Registration {
  /** Resolves after the first successful registration. */
  readonly registered: Promise<void>;
  /** Settles when the signal fired (resolves) or the orchestrator rejected us (rejects, exit 4). */
  readonly done: Promise<void>;
  /** Heartbeat now (readiness or sessions changed); no-op in byoc mode. */
  nudge(): void;
  /** Live-runner: the orchestrator's runner-facing URL from its last reply (session callbacks fall back to it). */
  orchestratorUrl(): string | undefined;
  /** Unregisters (bounded, idempotent). */
  close(): Promise<void>;
}

/** The live-runner fields with defaults for a caller that gave only the shared options. */
function runnerFields(opts: RegistrationOptions & LiveRunnerExtras): LiveRunnerFields {
  return {
    ...opts,
    app: opts.app ?? `live-video-to-video/${opts.name}`,
    metadata: opts.metadata ?? '',
    price: opts.price ?? String(opts.pricePerUnit),
  };
}

/** Registers once and returns (exit 0), or throws TRICKLE_REGISTRATION_REJECTED (exit 4) / _FAILED. */
export async function registerOnce(mode: RegistrationMode, opts: RegistrationOptions & LiveRunnerExtras): Promise<{ runnerId?: string }> {
  if (mode === 'byoc') {
    await registerByoc(opts);
    return {};
  }
  // Without heartbeats the orchestrator expires the runner after its TTL; --once leaves it registered until then.
  const runner = new LiveRunner({ ...opts, ...runnerFields(opts) });
  try {
    await runner.registration.bootstrap();
    return { runnerId: runner.registration.runnerId };
  } finally {
    await runner.o2r.close();
  }
}

/** Keeps the worker registered until opts.signal fires; retries with backoff, stops on a rejection. */
export function keepRegistered(opts: KeepRegisteredOptions): Registration {
  const log = opts.log ?? silentLogger;
  const wait = opts.sleep ?? realSleep;
  const live = opts.mode === 'live-runner' ? new LiveRunner({ ...opts, ...runnerFields(opts) }) : undefined;
  let isRegistered = false;
  let markRegistered!: () => void;
  const registered = new Promise<void>((r) => (markRegistered = r));

  const registerWithBackoff = async (): Promise<void> => {
    let delay = opts.retryDelayMs ?? 2000;
    for (;;) {
      try {
        if (live) await live.registration.bootstrap();
        else await registerByoc(opts);
        isRegistered = true;
        markRegistered();
        return;
      } catch (err) {
        if (!isTrickleError(err, 'TRICKLE_REGISTRATION_FAILED')) throw err;
        log.warn('registration failed; trying again', { in_ms: delay, error: err.message });
        await wait(delay, opts.signal);
        delay = Math.min(delay * 2, opts.maxBackoffMs ?? 30_000);
      }
    }
  };

  const done = (async () => {
    try {
      if (!live && opts.ready) {
        const ready = opts.ready;
        await new Promise<void>((resolve, reject) => {
          ready.then(resolve, reject);
          opts.signal?.addEventListener('abort', () => resolve(), { once: true });
        });
        if (opts.signal?.aborted) return;
      }
      await registerWithBackoff();
      if (live) await live.registration.run();
      else if (opts.signal && !opts.signal.aborted) {
        // BYOC has nothing periodic to do: a ref'd timer keeps the process alive until the signal.
        const keepAlive = setInterval(() => {}, 1 << 30);
        await new Promise<void>((r) => opts.signal!.addEventListener('abort', () => r(), { once: true }));
        clearInterval(keepAlive);
      }
    } catch (err) {
      if (isTrickleError(err, 'TRICKLE_ABORTED') || opts.signal?.aborted) return;
      throw err;
    }
  })();
  // The caller awaits `done`; keep an unobserved rejection from crashing the process meanwhile.
  done.catch(() => {});

  let closing: Promise<void> | undefined;
  return {
    registered,
    done,
    nudge: () => live?.registration.nudge(),
    orchestratorUrl: () => live?.registration.orchestrator,
    close() {
      closing ??= (async () => {
        if (live) return live.close();
        if (!isRegistered) return;
        try {
          await unregisterByoc(opts);
        } catch (err) {
          log.warn('unregister failed', { error: (err as Error).message });
        }
      })();
      return closing;
    },
  };
}
