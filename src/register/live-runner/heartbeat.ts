// A live runner's registration: bootstrap with the orchestrator secret, heartbeats with the returned one, unregister.
import { TrickleError, isTrickleError } from '../../errors.js';
import { silentLogger, type Logger } from '../../logger.js';
import { sleep as realSleep } from '../../trickle/transport.js';
import { insecureDispatcher, orchEndpoint, orchRequest, replyText } from '../http.js';
import type { RegistrationOptions, RunnerReadiness } from '../types.js';
import { parseGoDuration } from './duration.js';
import { heartbeatBody, type HeartbeatReply, type LiveRunnerFields, type TrickleChannel } from './wire.js';

export interface HeartbeatOptions extends RegistrationOptions, LiveRunnerFields {
  /** Ask the orchestrator for this id at bootstrap (default: the one it assigns). */
  runnerId?: string;
  /** What the next heartbeat reports (status, free capacity, session ids). */
  readiness?: () => RunnerReadiness;
  /** The orchestrator's authoritative session list, after every heartbeat. */
  onSessions?: (ids: string[]) => void;
  /** A bootstrap handed out the O2R channel (first registration and every re-registration). */
  onO2r?: (channel: TrickleChannel) => void;
  /** Used until the orchestrator says otherwise (default 5 s, go-livepeer's). */
  defaultIntervalMs?: number;
}

const READY: RunnerReadiness = { status: 'ready', capacity: 1, sessionIds: [] };

/** One live-runner registration: bootstrap() then run() heartbeats until the signal fires; close() unregisters. */
export class LiveRunnerRegistration {
  runnerId: string | undefined;
  /** The runner-facing orchestrator URL from the last reply (session callbacks fall back to it). */
  orchestrator: string | undefined;
  /** The secret heartbeats use; registered with the logger so no line shows it. */
  private heartbeatSecret: string | undefined;
  intervalMs: number;
  ttlMs: number | undefined;
  heartbeats = 0;
  private readonly log: Logger;
  private readonly dispatcher;
  private readonly wait;
  private wake = new AbortController();

  constructor(private readonly opts: HeartbeatOptions) {
    this.runnerId = opts.runnerId;
    this.intervalMs = opts.defaultIntervalMs ?? 5000;
    this.log = opts.log ?? silentLogger;
    this.log.secret?.(opts.orchSecret);
    this.dispatcher = opts.insecure ? insecureDispatcher() : undefined;
    this.wait = opts.sleep ?? realSleep;
  }

  private readiness(): RunnerReadiness {
    return this.opts.readiness?.() ?? { ...READY, capacity: this.opts.capacity };
  }

  private send(authorization: string): Promise<{ status: number; text: string }> {
    return orchRequest({
      url: orchEndpoint(this.opts.orchUrl, '/runners/heartbeat'),
      headers: { Authorization: authorization },
      body: heartbeatBody(this.opts, this.runnerId, this.readiness()),
      timeoutMs: this.opts.attemptTimeoutMs ?? 5000,
      signal: this.opts.signal,
      dispatcher: this.dispatcher,
    });
  }

  private accept(text: string): void {
    let reply: HeartbeatReply;
    try {
      reply = JSON.parse(text) as HeartbeatReply;
    } catch {
      throw new TrickleError('TRICKLE_REGISTRATION_FAILED', 'orchestrator heartbeat reply is not JSON');
    }
    if (typeof reply.runner_id === 'string' && reply.runner_id) this.runnerId = reply.runner_id;
    if (typeof reply.orchestrator === 'string' && reply.orchestrator) this.orchestrator = reply.orchestrator;
    if (reply.heartbeat_secret) {
      this.log.secret?.(reply.heartbeat_secret);
      this.heartbeatSecret = reply.heartbeat_secret;
    }
    const interval = parseGoDuration(reply.heartbeat_interval);
    if (interval !== undefined && interval > 0) this.intervalMs = Math.max(50, interval);
    const ttl = parseGoDuration(reply.heartbeat_ttl);
    if (ttl !== undefined && ttl > 0) this.ttlMs = ttl;
    this.heartbeats++;
    if (reply.o2r && typeof reply.o2r.url === 'string') {
      for (const s of [reply.o2r.url, reply.o2r.internal_url, reply.o2r.channel_name]) this.log.secret?.(s);
      this.opts.onO2r?.(reply.o2r);
    }
    if (Array.isArray(reply.session_ids)) this.opts.onSessions?.(reply.session_ids.filter((s) => typeof s === 'string'));
  }

  /** The orchestrator refused the runner's fields or secret: a TRICKLE_REGISTRATION_REJECTED quoting its reason. */
  private rejected(status: number, text: string): TrickleError {
    const reason = replyText(text);
    const secret = status === 401;
    return new TrickleError('TRICKLE_REGISTRATION_REJECTED', `orchestrator rejected the ${secret ? 'secret' : 'registration'} (${status} ${reason})`, {
      hint: secret
        ? 'check ORCH_SECRET / --orch-secret'
        : /price_info/.test(reason)
          ? 'an on-chain orchestrator needs a positive --price-per-unit in usd, unit hour, 720p or fixed'
          : status === 404
            ? 'start the orchestrator with a live-runner registration secret (-orchSecret) and live runners enabled'
            : 'the orchestrator refused a runner field',
      details: { status, orchestrator: this.opts.orchUrl },
    });
  }

  /** Registers with the orchestrator secret (attempts like byoc); 400/401/404 are refusals (exit 4). */
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
            status: this.readiness().status,
          });
          return;
        }
        // 404 "runner not found": our id is expired but not yet swept; it is free again a moment later.
        const disabled = res.status === 404 && /registration is disabled/.test(res.text);
        if (res.status === 400 || res.status === 401 || res.status === 403 || disabled) throw this.rejected(res.status, res.text);
        last = `HTTP ${res.status} ${replyText(res.text)}`;
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

  /**
   * One heartbeat with the heartbeat secret. The orchestrator no longer knowing us — 404 (our TTL
   * lapsed) or 401 "invalid registration authorization" (it restarted, or swept us) — means
   * bootstrap again under the same id.
   */
  async heartbeat(): Promise<void> {
    if (!this.heartbeatSecret) return this.bootstrap();
    const res = await this.send(this.heartbeatSecret);
    if (res.status === 200) return this.accept(res.text);
    if (res.status === 404 || (res.status === 401 && /registration authorization/.test(res.text))) {
      this.log.warn('orchestrator no longer knows this runner; registering again', { runner_id: this.runnerId, status: res.status });
      this.heartbeatSecret = undefined;
      return this.bootstrap();
    }
    if (res.status === 400) throw this.rejected(400, res.text);
    throw new TrickleError('TRICKLE_REGISTRATION_FAILED', `heartbeat answered HTTP ${res.status} ${replyText(res.text)}`);
  }

  /** Heartbeats at the orchestrator's interval until the signal fires; failures are logged and retried. */
  async run(): Promise<void> {
    const signal = this.opts.signal;
    let failingSince: number | undefined;
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
        failingSince = undefined;
      } catch (err) {
        if (signal?.aborted) return;
        if (isTrickleError(err, 'TRICKLE_REGISTRATION_REJECTED')) throw err;
        failingSince ??= Date.now();
        const lapsed = this.ttlMs !== undefined && Date.now() - failingSince > this.ttlMs;
        this.log.warn(lapsed ? 'heartbeats failing for longer than the orchestrator keeps a runner; it will register again' : 'heartbeat failed; retrying', {
          error: (err as Error).message,
        });
      }
    }
  }

  /** Sends the next heartbeat now (readiness or sessions changed). */
  nudge(): void {
    this.wake.abort();
  }

  /** Tells the orchestrator we are gone (POST /runners/{id}/unregister, heartbeat secret, 204); bounded, never throws. */
  async close(): Promise<void> {
    try {
      if (this.heartbeatSecret && this.runnerId) {
        const res = await orchRequest({
          url: orchEndpoint(this.opts.orchUrl, `/runners/${encodeURIComponent(this.runnerId)}/unregister`),
          headers: { Authorization: this.heartbeatSecret },
          timeoutMs: this.opts.attemptTimeoutMs ?? 5000,
          dispatcher: this.dispatcher,
        });
        if (res.status === 204 || res.status === 200) this.log.info('unregistered from orchestrator', { mode: 'live-runner', runner_id: this.runnerId });
        else this.log.warn('unregister refused', { status: res.status, reason: replyText(res.text) });
        this.heartbeatSecret = undefined;
      }
    } catch (err) {
      this.log.warn('unregister failed', { error: (err as Error).message });
    } finally {
      await this.dispatcher?.close().catch(() => {});
    }
  }
}
