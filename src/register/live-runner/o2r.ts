// The orchestrator-to-runner (O2R) channel: keep-alives and session events, the orchestrator's word on sessions.
import { isAbortError } from '../../errors.js';
import { silentLogger, type Logger } from '../../logger.js';
import { isKeepAlive, jsonMessages } from '../../trickle/json-messages.js';
import { Subscriber } from '../../trickle/subscriber.js';
import { sleep } from '../../trickle/transport.js';
import type { TrickleChannel } from './wire.js';

/** go-livepeer writes `{"keep":"alive"}` this often. */
export const O2R_KEEPALIVE_MS = 10_000;
/** Keep-alive periods without any message before the subscription is started again. */
const SILENT_PERIODS = 3;

export interface O2rOptions {
  log?: Logger;
  signal: AbortSignal;
  /** The orchestrator released a session: its stream stops now. */
  onReleased(sessionId: string): void;
  onReserved?(sessionId: string): void;
  /** The orchestrator's keep-alive period (default 10 s). */
  keepAliveMs?: number;
  insecure?: boolean;
}

/** Follows the latest O2R channel the orchestrator handed out; re-subscribes when it ends or goes silent. */
export class O2rListener {
  private channel?: TrickleChannel;
  private current?: AbortController;
  private running?: Promise<void>;
  private readonly log: Logger;
  private readonly stopped = new AbortController();
  /** Messages read so far (keep-alives included). */
  messages = 0;
  resubscriptions = 0;

  constructor(private readonly opts: O2rOptions) {
    this.log = opts.log ?? silentLogger;
  }

  /** Switches to `channel` (a bootstrap's O2R); the URL and name are credentials and are never logged. */
  follow(channel: TrickleChannel): void {
    for (const s of [channel.url, channel.internal_url, channel.channel_name]) this.log.secret?.(s);
    this.channel = channel;
    this.current?.abort();
    this.running ??= this.loop();
  }

  private async loop(): Promise<void> {
    const silenceMs = (this.opts.keepAliveMs ?? O2R_KEEPALIVE_MS) * SILENT_PERIODS;
    const ended = AbortSignal.any([this.opts.signal, this.stopped.signal]);
    while (!ended.aborted) {
      const channel = this.channel!;
      const attempt = new AbortController();
      this.current = attempt;
      const signal = AbortSignal.any([ended, attempt.signal]);
      let silent = false;
      let watchdog: NodeJS.Timeout | undefined;
      const arm = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => {
          silent = true;
          attempt.abort();
        }, silenceMs);
      };
      const sub = new Subscriber({ url: channel.internal_url || channel.url, start: -1, signal, log: this.log, insecure: this.opts.insecure });
      try {
        arm();
        for await (const { message } of jsonMessages(sub, this.log, 'O2R channel')) {
          this.messages++;
          arm();
          this.handle(message);
        }
        if (!signal.aborted) this.log.warn('O2R channel ended; subscribing again');
      } catch (err) {
        if (ended.aborted) return;
        if (!signal.aborted || !isAbortError(err)) this.log.warn('O2R channel failed; subscribing again', { error: (err as Error).message });
      } finally {
        clearTimeout(watchdog);
        await sub.close().catch(() => undefined);
      }
      if (ended.aborted) return;
      if (silent) this.log.warn(`O2R channel silent for ${silenceMs / 1000} s; subscribing again`);
      this.resubscriptions++;
      // A switch to a new channel goes at once; a failure waits a moment.
      if (this.channel === channel) await sleep(1000, ended).catch(() => undefined);
    }
  }

  private handle(message: Record<string, unknown>): void {
    if (isKeepAlive(message)) return;
    const session = typeof message.session === 'string' ? message.session : undefined;
    if (!session) {
      this.log.debug('O2R message ignored', { event: message.event });
      return;
    }
    if (message.event === 'released') {
      this.log.info('orchestrator released a session', { session });
      this.opts.onReleased(session);
    } else if (message.event === 'reserved') {
      this.log.debug('orchestrator reserved a session', { session });
      this.opts.onReserved?.(session);
    }
  }

  /** Ends the subscription; resolves once it has stopped. */
  async close(): Promise<void> {
    this.stopped.abort();
    await this.running;
  }
}
