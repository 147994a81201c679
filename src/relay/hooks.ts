// Create/delete hooks and the typed error they throw to choose the HTTP status (any other error is a 500 that keeps its details to itself).
import type { ServerResponse } from 'node:http';
import { httpError } from './replies.js';

export interface RelayHooks {
  /** Runs on `POST B{channel}` before the existence check; throw to refuse the creation. */
  beforeCreate?(name: string): void | Promise<void>;
  /** Runs on `DELETE B{channel}` before anything is closed; throw to refuse the deletion. */
  beforeDelete?(name: string): void | Promise<void>;
}

/** Thrown by a hook to answer with `status` (a 4xx; anything else becomes 400) and this message. */
export class RelayRequestError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'RelayRequestError';
    this.status = status;
  }
}

/** Runs a hook; on failure writes the mapped error response and returns false. */
export async function runHook(hook: ((name: string) => void | Promise<void>) | undefined, name: string, res: ServerResponse): Promise<boolean> {
  if (!hook) return true;
  try {
    await hook(name);
    return true;
  } catch (err) {
    if (err instanceof RelayRequestError) {
      const status = err.status >= 400 && err.status < 500 ? err.status : 400;
      httpError(res, status, err.message);
    } else {
      httpError(res, 500, 'Server error');
    }
    return false;
  }
}
