// Secret redaction: secrets never appear in logs, errors, --json output or `trickle config`.

const SECRET_KEY = /secret|token|password|authorization|api[-_]?key/i;

/** A deep copy of `value` with every secret-looking key's value replaced by "***". */
export function redact<T>(value: T): T {
  // An Error's own fields hold nothing printable: keep its message.
  if (value instanceof Error) return value.message as T;
  if (Array.isArray(value)) return value.map((v) => redact(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEY.test(k) && v != null && v !== '' ? '***' : redact(v)]),
    ) as T;
  }
  return value;
}

/** `scheme://user:password@host` → `scheme://***@host`: credentials inside URLs are never shown. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@'"<>]+@/gi;

/** Replaces every occurrence of the given secrets (and URL credentials) inside a string. */
export function scrub(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  // Longest first: a channel URL must go before the channel name inside it.
  const list = [...secrets].filter((s): s is string => !!s && s.length >= 4).sort((a, b) => b.length - a.length);
  for (const s of list) if (out.includes(s)) out = out.split(s).join('***');
  return out.includes('@') ? out.replace(URL_USERINFO, '$1***@') : out;
}

/** `value` with every string inside it scrubbed (log fields, JSON output). */
export function scrubDeep<T>(value: T, secrets: Iterable<string | undefined>): T {
  if (typeof value === 'string') return scrub(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, secrets)) as T;
  if (value instanceof Error) return scrub(value.message, secrets) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, scrubDeep(v, secrets)])) as T;
  }
  return value;
}

/** A growing set of values to keep out of output, shared by a logger and its children. */
export class SecretSet implements Iterable<string> {
  private readonly values = new Set<string>();

  add(value: string | undefined): void {
    if (value && value.length >= 4) this.values.add(value);
  }

  [Symbol.iterator](): Iterator<string> {
    return this.values.values();
  }
}
