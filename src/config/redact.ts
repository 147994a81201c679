// Secret redaction: secrets never appear in logs, errors, --json output or `trickle config`.

const SECRET_KEY = /secret|token|password|authorization|api[-_]?key/i;

/** A deep copy of `value` with every secret-looking key's value replaced by "***". */
export function redact<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => redact(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEY.test(k) && v != null && v !== '' ? '***' : redact(v)]),
    ) as T;
  }
  return value;
}

/** Replaces every occurrence of the given secrets inside a string (for error messages). */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}
