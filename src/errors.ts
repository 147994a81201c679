// Typed errors with stable codes; src/cli/exit-codes.ts maps them to messages and exit codes.

export type ErrorCode =
  | 'TRICKLE_USAGE'
  | 'TRICKLE_CONFIG'
  | 'TRICKLE_NOT_AVAILABLE'
  | 'TRICKLE_INVALID_URL'
  | 'TRICKLE_STREAM_NOT_FOUND'
  | 'TRICKLE_STREAM_ENDED'
  | 'TRICKLE_SEQUENCE_NONEXISTENT'
  | 'TRICKLE_HTTP_STATUS'
  | 'TRICKLE_CONNECT'
  | 'TRICKLE_TIMEOUT'
  | 'TRICKLE_ABORTED'
  | 'TRICKLE_SEGMENT_TOO_LARGE'
  | 'TRICKLE_PORT_IN_USE'
  | 'TRICKLE_FFMPEG_NOT_FOUND'
  | 'TRICKLE_FFMPEG_EXIT'
  | 'TRICKLE_BAD_MEDIA'
  | 'TRICKLE_PROCESSOR_NOT_FOUND'
  | 'TRICKLE_PROCESSOR_LOAD'
  | 'TRICKLE_PROCESSOR_ERROR'
  | 'TRICKLE_PROCESSOR_HUNG'
  | 'TRICKLE_MODEL'
  | 'TRICKLE_DEVICE_UNAVAILABLE'
  | 'TRICKLE_REGISTRATION_REJECTED'
  | 'TRICKLE_REGISTRATION_FAILED'
  | 'TRICKLE_EXPECTATION_FAILED'
  | 'TRICKLE_INTERNAL';

export interface TrickleErrorOptions {
  cause?: unknown;
  /** One line telling the user what to do about it. */
  hint?: string;
  /** Extra machine-readable facts (status code, url, seq …). Never secrets. */
  details?: Record<string, unknown>;
}

/** The one error class of the project: a stable `code`, a message, an optional hint and cause. */
export class TrickleError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: TrickleErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TrickleError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }
}

/** True when `err` is a TrickleError, optionally with one of `codes`. */
export function isTrickleError(err: unknown, ...codes: ErrorCode[]): err is TrickleError {
  return err instanceof TrickleError && (codes.length === 0 || codes.includes(err.code));
}

/** True for errors caused by an AbortSignal firing (ours or the platform's). */
export function isAbortError(err: unknown): boolean {
  if (isTrickleError(err, 'TRICKLE_ABORTED')) return true;
  const name = (err as { name?: string } | null)?.name;
  return name === 'AbortError' || (err as { code?: string } | null)?.code === 'ABORT_ERR';
}

/** Writes a message (or hint) with the names its fields go by where it is shown. */
export type FieldText = (names: readonly string[]) => string;

/**
 * An error about named settings (`media.width`, `params.layout`, `device`): core code writes its
 * text with the field names, so an HTTP client reads `media.width`; a front end that knows the
 * fields by other names (the CLI's flags) rewrites it with describe().
 */
export class FieldError extends TrickleError {
  private readonly hintText?: FieldText;

  constructor(
    code: ErrorCode,
    readonly fields: readonly string[],
    private readonly text: FieldText,
    options: Omit<TrickleErrorOptions, 'hint'> & { hint?: FieldText } = {},
  ) {
    super(code, text(fields), { ...options, hint: options.hint?.(fields) });
    this.hintText = options.hint;
  }

  /** The message and hint with each field shown as `nameOf(field)`. */
  describe(nameOf: (field: string) => string): { message: string; hint?: string } {
    const names = this.fields.map(nameOf);
    return { message: this.text(names), hint: this.hintText?.(names) };
  }
}
