// A dynamic live runner: its heartbeat registration and the O2R channel it follows, as one thing to start and close.
import { silentLogger } from '../../logger.js';
import { LiveRunnerRegistration, type HeartbeatOptions } from './heartbeat.js';
import { O2rListener } from './o2r.js';

export interface LiveRunnerOptions extends HeartbeatOptions {
  /** The orchestrator released a session (O2R `released`): its stream stops now. */
  onReleased?: (sessionId: string) => void;
  /** The O2R keep-alive period the silence watchdog counts in (default 10 s). */
  o2rKeepAliveMs?: number;
}

/** Registration plus O2R: `registration.run()` heartbeats; every bootstrap's O2R channel is followed. */
export class LiveRunner {
  readonly registration: LiveRunnerRegistration;
  readonly o2r: O2rListener;
  private readonly stop = new AbortController();

  constructor(opts: LiveRunnerOptions) {
    const signal = opts.signal ? AbortSignal.any([opts.signal, this.stop.signal]) : this.stop.signal;
    this.o2r = new O2rListener({
      log: opts.log ?? silentLogger,
      signal,
      onReleased: (id) => opts.onReleased?.(id),
      keepAliveMs: opts.o2rKeepAliveMs,
      insecure: opts.insecure,
    });
    this.registration = new LiveRunnerRegistration({ ...opts, onO2r: (c) => this.o2r.follow(c) });
  }

  /** Unregisters (so no session is routed here any more), then stops following O2R. */
  async close(): Promise<void> {
    await this.registration.close();
    this.stop.abort();
    await this.o2r.close();
  }
}
