// The one table that turns error codes into exit codes: 0 done, 1 failure, 2 usage, 3 stream not found, 4 registration rejected.
import type { ErrorCode } from '../errors.js';

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  streamNotFound: 3,
  registrationRejected: 4,
  sigint: 130,
  sigterm: 143,
} as const;

const BY_CODE: Partial<Record<ErrorCode, number>> = {
  TRICKLE_USAGE: EXIT.usage,
  TRICKLE_CONFIG: EXIT.usage,
  TRICKLE_NOT_AVAILABLE: EXIT.usage,
  TRICKLE_INVALID_URL: EXIT.usage,
  TRICKLE_PROCESSOR_NOT_FOUND: EXIT.usage,
  TRICKLE_STREAM_NOT_FOUND: EXIT.streamNotFound,
  TRICKLE_STREAM_ENDED: EXIT.streamNotFound,
  TRICKLE_REGISTRATION_REJECTED: EXIT.registrationRejected,
  // `trickle probe --expect …`: something measured is not what was asked for.
  TRICKLE_EXPECTATION_FAILED: EXIT.failure,
};

/** Exit code for an error code; everything unlisted is a runtime failure (1). */
export function exitCodeFor(code: ErrorCode | undefined): number {
  return (code && BY_CODE[code]) ?? EXIT.failure;
}
