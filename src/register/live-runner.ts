// Live-runner registration (go-livepeer doc/live-runner.md): bootstrap, heartbeats, re-bootstrap on 401/404, unregister.
import { TrickleError, isTrickleError } from '../errors.js';
import { silentLogger } from '../logger.js';
import { parseGoDuration } from './duration.js';
import { insecureDispatcher, orchEndpoint, postOrch } from './http.js';
import { sleep as realSleep } from '../trickle/transport.js';
import type { RegistrationOptions } from './types.js';

export type RunnerStatus = 'loading' | 'ready' | 'error';

export interface LiveRunnerOptions extends RegistrationOptions {
  /** Ask the orchestrator for this id (default: the one it assigns at bootstrap). */
  runnerId?: string;
  label?: string;
  version?: string;
  metadata?: Record<string, unknown>;
  /** price_info.currency / unit (defaults usd / hour). */
  currency?: string;
  priceUnit?: string;
  gpu?: { id?: string; name?: string; vram_mb?: number };
  /** Current readiness; `loading` until the processor's load() finished. */
  status?: () => RunnerStatus;
  /** Sessions running here now (reported each heartbeat). */
  sessionIds?: () => string[];
  /** The orchestrator's authoritative session list, after every heartbeat. */
  onSessions?: (ids: string[]) => void;
  /** Used until the orchestrator says otherwise (default 5 s). */
  defaultIntervalMs?: number;
}

export interface HeartbeatResponse {
  runner_id: string;
  orchestrator?: string;
  heartbeat_interval?: string;
  heartbeat_ttl?: string;
  heartbeat_secret?: string;
  o2r?: Record<string, unknown>;
  session_ids?: string[];
}

/** The heartbeat request body (field names of go-livepeer's LiveRunnerHeartbeatRequest). */
export function heartbeatBody(opts: LiveRunnerOptions, runnerId: string | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ...(runnerId ? { runner_id: runnerId } : {}),
    label: opts.label ?? opts.name,
    runner_url: opts.url,
    version: opts.version ?? '',
    metadata: { description: opts.description, ...opts.metadata },
    status: opts.status?.() ?? 'ready',
    mode: 'persistent',
    ...(opts.gpu ? { gpu: opts.gpu } : {}),
    app: opts.name,
    capacity: opts.capacity,
    price_info: { price: opts.pricePerUnit, currency: opts.currency ?? 'usd', unit: opts.priceUnit ?? 'hour' },
    session_ids: opts.sessionIds?.() ?? [],
  };
  return body;
}

/** One live-runner registration: bootstrap() then run() heartbeats until the signal fires; close() unregisters. */
export class LiveRunnerRegistration {
  runnerId: string | undefined;
  /** The secret heartbeats use; never logged. */
  private heartbeatSecret: string | undefined;
  intervalMs: number;
  heartbeats = 0;
  private readonly log;
  private readonly dispatcher;
  private readonly wait;
  private wake = new AbortController();

  constructor(private readonly opts: LiveRunnerOptions) {
    this.runnerId = opts.runnerId;
    this.intervalMs = opts.defaultIntervalMs ?? 5000;
    this.log = opts.log ?? silentLogger;
    this.dispatcher = opts.insecure ? insecureDispatcher() : undefined;
    this.wait = opts.sleep ?? realSleep;
  }

  private async send(authorization: string): Promise<{ status: number; text: string }> {
    return postOrch({
      url: orchEndpoint(this.opts.orchUrl, '/runners/heartbeat'),
      authorization,
      body: JSON.stringify(heartbeatBody(this.opts, this.runnerId)),
      timeoutMs: this.opts.attemptTimeoutMs ?? 5000,
      signal: this.opts.signal,
      dispatcher: this.dispatcher,
    });
  }

  private accept(text: string): void {
    let res: HeartbeatResponse;
    try {
      res = JSON.parse(text) as HeartbeatResponse;
    } catch {
      throw new TrickleError('TRICKLE_REGISTRATION_FAILED', 'orchestrator heartbeat reply is not JSON');
    }
    if (res.runner_id) this.runnerId = res.runner_id;
    if (res.heartbeat_secret) {
      this.heartbeatSecret = res.heartbeat_secret;
    }
    const interval = parseGoDuration(res.heartbeat_interval);
    if (interval !== undefined && interval > 0) this.intervalMs = Math.max(50, interval);
    this.heartbeats++;
    if (Array.isArray(res.session_ids)) this.opts.onSessions?.(res.session_ids.filter((s) => typeof s === 'string'));
  }

  /** Registers with the orchestrator secret (attempts like byoc); 400/401 → TRICKLE_REGISTRATION_REJECTED. */
  async bootstrap(): Promise<void> {
    const attempts = this.opts.attempts ?? 3;
    let last = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await this.wait(this.opts.retryDelayMs ?? 2000, this.opts.signal);
      try {
        const res = await this.send(this.opts.orchSecret);
        if (res.status === 200) {
          this.accept(res.text);
          if (!this.heartbeatSecret) throw new TrickleError('TRICKLE_REGISTRATION_FAILED', 'orchestrator returned no heartbeat_secret');
          this.log.info('registered with orchestrator', {
            mode: 'live-runner',
            orchestrator: this.opts.orchUrl,
            runner_id: this.runnerId,
            interval_ms: this.intervalMs,
            status: this.opts.status?.() ?? 'ready',
          });
          return;
        }
        if (res.status === 400 || res.status === 401 || res.status === 403) {
          throw new TrickleError('TRICKLE_REGISTRATION_REJECTED', `orchestrator rejected the registration (${res.status} ${res.text.trim().slice(0, 200)})`, {
            hint: res.status === 400 ? 'the orchestrator refused the runner fields (price, app, status)' : 'check ORCH_SECRET / --orch-secret',
            details: { status: res.status, orchestrator: this.opts.orchUrl },
          });
        }
        last = `HTTP ${res.status} ${res.text.trim().slice(0, 200)}`;
      } catch (err) {
        if (isTrickleError(err, 'TRICKLE_REGISTRATION_REJECTED', 'TRICKLE_ABORTED')) throw err;
        last = (err as Error).message;
      }
      this.log.warn('registration attempt failed', { attempt, attempts, error: last });
    }
    throw new TrickleError('TRICKLE_REGISTRATION_FAILED', `live-runner registration with ${this.opts.orchUrl} failed after ${attempts} attempts: ${last}`, {
      hint: 'is ORCH_URL reachable from here?',
    });
  }

  /** One heartbeat with the heartbeat secret; 401/404 means the orchestrator forgot us → bootstrap again. */
  async heartbeat(): Promise<void> {
    if (!this.heartbeatSecret) return this.bootstrap();
    const res = await this.send(this.heartbeatSecret);
    if (res.status === 200) return this.accept(res.text);
    if (res.status === 404 || res.status === 401) {
      this.log.warn('orchestrator no longer knows this runner; registering again', { status: res.status, runner_id: this.runnerId });
      this.heartbeatSecret = undefined;
      return this.bootstrap();
    }
    throw new TrickleError('TRICKLE_REGISTRATION_FAILED', `heartbeat answered HTTP ${res.status} ${res.text.trim().slice(0, 200)}`);
  }

  /** Heartbeats at the orchestrator's interval until the signal fires; failures are logged and retried. */
  async run(): Promise<void> {
    const signal = this.opts.signal;
    while (!signal?.aborted) {
      try {
        await this.wait(this.intervalMs, signal ? AbortSignal.any([signal, this.wake.signal]) : this.wake.signal);
      } catch (err) {
        if (!isTrickleError(err, 'TRICKLE_ABORTED')) throw err;
        if (signal?.aborted) return;
        this.wake = new AbortController();
      }
      try {
        await this.heartbeat();
      } catch (err) {
        if (signal?.aborted) return;
        if (isTrickleError(err, 'TRICKLE_REGISTRATION_REJECTED')) throw err;
        this.log.warn('heartbeat failed; retrying', { error: (err as Error).message });
      }
    }
  }

  /** Sends the next heartbeat now (readiness or sessions changed). */
  nudge(): void {
    this.wake.abort();
  }

  /** Tells the orchestrator we are gone (POST /runners/unregister, heartbeat secret); bounded, never throws. */
  async close(): Promise<void> {
    try {
      if (this.heartbeatSecret && this.runnerId) {
        const res = await postOrch({
          url: orchEndpoint(this.opts.orchUrl, '/runners/unregister'),
          authorization: this.heartbeatSecret,
          body: JSON.stringify({ runner_id: this.runnerId }),
          timeoutMs: this.opts.attemptTimeoutMs ?? 5000,
          dispatcher: this.dispatcher,
        });
        if (res.status === 200) this.log.info('unregistered from orchestrator', { mode: 'live-runner', runner_id: this.runnerId });
        else this.log.warn('unregister refused', { status: res.status });
        this.heartbeatSecret = undefined;
      }
    } catch (err) {
      this.log.warn('unregister failed', { error: (err as Error).message });
    } finally {
      await this.dispatcher?.close().catch(() => {});
    }
  }
}
