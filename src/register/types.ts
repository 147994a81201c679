// The options both registration modes share (PyTrickle's CAPABILITY_* settings) and what each mode adds.
import type { Logger } from '../logger.js';

export type RegistrationMode = 'byoc' | 'live-runner';

export interface RegistrationOptions {
  orchUrl: string;
  orchSecret: string;
  /** Capability name (BYOC) / runner label (live-runner). */
  name: string;
  description: string;
  /** Where the orchestrator reaches this worker. */
  url: string;
  capacity: number;
  /** BYOC: integer price per unit (int64 on the orchestrator). Live-runner: the decimal price when `price` is unset. */
  pricePerUnit: number;
  priceScaling: number;
  /** BYOC currency ("", wei, eth, or a code the orchestrator's price feed knows); live-runner: usd. */
  currency?: string;
  /** BYOC: the worker's API token, sent back by the orchestrator as `Authorization: Bearer <token>`. */
  token?: string;
  /** Skip TLS certificate checks. */
  insecure?: boolean;
  log?: Logger;
  signal?: AbortSignal;
  /** Attempts for one registration (default 3), delay between them (2000 ms), per-attempt timeout (1500 ms). */
  attempts?: number;
  retryDelayMs?: number;
  attemptTimeoutMs?: number;
  /** Injectable wait (tests). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What a live runner tells the orchestrator about itself on every heartbeat. */
export interface RunnerReadiness {
  /** Only `ready` is routed to: `loading` until load() finished, `full` with no free slot, `failed` after a failed load(). */
  status: 'loading' | 'ready' | 'full' | 'failed';
  /** Sessions the orchestrator may still place here (slots not taken by streams outside its sessions). */
  capacity: number;
  /** The orchestrator sessions running here now. */
  sessionIds: string[];
}
