// The options both registration modes share (PyTrickle's CAPABILITY_* settings plus live-runner extras).
import type { Logger } from '../logger.js';

export type RegistrationMode = 'byoc' | 'live-runner';

export interface RegistrationOptions {
  orchUrl: string;
  orchSecret: string;
  /** Capability / app name. */
  name: string;
  description: string;
  /** Where the orchestrator reaches this worker. */
  url: string;
  capacity: number;
  pricePerUnit: number;
  priceScaling: number;
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
