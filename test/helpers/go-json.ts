// Go's encoding/json, as far as test peers need it: decode a body into Go struct types with Go's exact error messages.
//
// Rules reproduced: keys match exactly, then case-insensitively; unknown keys are ignored; null
// leaves a non-pointer value as it was; a type mismatch is remembered (first one wins) while
// decoding goes on; an invalid number inside a string for a json.Number aborts at once; the
// error path names the innermost struct type and the JSON names from the root
// (`LiveRunnerPriceInfo.price_info.price`). `json.NewDecoder(r).Decode` reads one value (EOF,
// unexpected EOF); `json.Unmarshal` wants exactly one (unexpected end of JSON input).

export type GoType =
  | { kind: 'string' }
  | { kind: 'bool' }
  | { kind: 'int'; name: 'int' | 'int64' }
  | { kind: 'number' }
  | { kind: 'slice'; elem: GoType }
  | { kind: 'pointer'; elem: GoType }
  | { kind: 'struct'; name: string; pkg: string; fields: GoField[] }
  | { kind: 'custom'; name: string; decode: (raw: JsonValue, ctx: DecodeContext) => unknown };

export interface GoField {
  json: string;
  type: GoType;
}

/** A parsed JSON value that keeps number literals as written (Go decides what they may become). */
export type JsonValue =
  | { t: 'null' }
  | { t: 'bool'; v: boolean }
  | { t: 'number'; lit: string }
  | { t: 'string'; v: string; lit: string }
  | { t: 'array'; items: JsonValue[] }
  | { t: 'object'; entries: [string, JsonValue][] };

export class GoJsonError extends Error {}

export const goString: GoType = { kind: 'string' };
export const goBool: GoType = { kind: 'bool' };
export const goInt: GoType = { kind: 'int', name: 'int' };
export const goInt64: GoType = { kind: 'int', name: 'int64' };
export const goNumber: GoType = { kind: 'number' };
export const sliceOf = (elem: GoType): GoType => ({ kind: 'slice', elem });
export const pointerTo = (elem: GoType): GoType => ({ kind: 'pointer', elem });
export const struct = (pkg: string, name: string, fields: Record<string, GoType>): GoType => ({
  kind: 'struct',
  pkg,
  name,
  fields: Object.entries(fields).map(([json, type]) => ({ json, type })),
});

/** How Go prints a type in an UnmarshalTypeError. */
export function typeName(t: GoType): string {
  switch (t.kind) {
    case 'string':
    case 'bool':
      return t.kind;
    case 'int':
      return t.name;
    case 'number':
      return 'json.Number';
    case 'slice':
      return `[]${typeName(t.elem)}`;
    case 'pointer':
      return `*${typeName(t.elem)}`;
    case 'struct':
      return `${t.pkg}.${t.name}`;
    case 'custom':
      return t.name;
  }
}

// ---------------------------------------------------------------- scanner

const WS = new Set([' ', '\t', '\n', '\r']);

function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return '\'"\'';
  const q = JSON.stringify(c);
  return `'${q.slice(1, -1)}'`;
}

class EndOfInput extends Error {}

class Parser {
  i = 0;
  constructor(readonly s: string) {}

  private fail(context: string): never {
    if (this.i >= this.s.length) throw new EndOfInput();
    throw new GoJsonError(`invalid character ${quoteChar(this.s[this.i]!)} ${context}`);
  }

  skip(): void {
    while (this.i < this.s.length && WS.has(this.s[this.i]!)) this.i++;
  }

  value(): JsonValue {
    this.skip();
    const c = this.s[this.i];
    if (c === undefined) throw new EndOfInput();
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') {
      const start = this.i;
      const v = this.string();
      return { t: 'string', v, lit: this.s.slice(start, this.i) };
    }
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, value] of [['true', { t: 'bool', v: true }], ['false', { t: 'bool', v: false }], ['null', { t: 'null' }]] as const) {
      if (c === word[0]) {
        for (let k = 1; k < word.length; k++) {
          this.i++;
          if (this.s[this.i] !== word[k]) this.fail(`in literal ${word} (expecting ${quoteChar(word[k]!)})`);
        }
        this.i++;
        return value as JsonValue;
      }
    }
    return this.fail('looking for beginning of value');
  }

  private number(): JsonValue {
    const start = this.i;
    if (this.s[this.i] === '-') this.i++;
    const digit = () => this.s[this.i] !== undefined && this.s[this.i]! >= '0' && this.s[this.i]! <= '9';
    if (!digit()) this.fail('in numeric literal');
    if (this.s[this.i] === '0') this.i++;
    else while (digit()) this.i++;
    if (this.s[this.i] === '.') {
      this.i++;
      if (!digit()) this.fail('after decimal point in numeric literal');
      while (digit()) this.i++;
    }
    if (this.s[this.i] === 'e' || this.s[this.i] === 'E') {
      this.i++;
      if (this.s[this.i] === '+' || this.s[this.i] === '-') this.i++;
      if (!digit()) this.fail('in exponent of numeric literal');
      while (digit()) this.i++;
    }
    return { t: 'number', lit: this.s.slice(start, this.i) };
  }

  private string(): string {
    this.i++;
    let out = '';
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) throw new EndOfInput();
      if (c === '"') {
        this.i++;
        return out;
      }
      if (c < ' ') this.fail('in string literal');
      if (c === '\\') {
        this.i++;
        const e = this.s[this.i];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e === undefined) throw new EndOfInput();
        if (simple[e] !== undefined) {
          out += simple[e];
          this.i++;
        } else if (e === 'u') {
          const hex = this.s.slice(this.i + 1, this.i + 5);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.i++;
            while (/[0-9a-fA-F]/.test(this.s[this.i] ?? '')) this.i++;
            this.fail('in \\u hexadecimal character escape');
          }
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 5;
        } else this.fail('in string escape code');
        continue;
      }
      out += c;
      this.i++;
    }
  }

  private array(): JsonValue {
    this.i++;
    const items: JsonValue[] = [];
    this.skip();
    if (this.s[this.i] === ']') {
      this.i++;
      return { t: 'array', items };
    }
    for (;;) {
      items.push(this.value());
      this.skip();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === ']') {
        this.i++;
        return { t: 'array', items };
      }
      this.fail('after array element');
    }
  }

  private object(): JsonValue {
    this.i++;
    const entries: [string, JsonValue][] = [];
    this.skip();
    if (this.s[this.i] === '}') {
      this.i++;
      return { t: 'object', entries };
    }
    for (;;) {
      this.skip();
      if (this.s[this.i] !== '"') this.fail('looking for beginning of object key string');
      const key = this.string();
      this.skip();
      if (this.s[this.i] !== ':') this.fail('after object key');
      this.i++;
      entries.push([key, this.value()]);
      this.skip();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === '}') {
        this.i++;
        return { t: 'object', entries };
      }
      this.fail('after object key:value pair');
    }
  }
}

/** `json.NewDecoder(body).Decode(&v)`: one value, trailing bytes never read. */
export function decoderParse(body: string): JsonValue {
  const p = new Parser(body);
  p.skip();
  if (p.i >= body.length) throw new GoJsonError('EOF');
  try {
    return p.value();
  } catch (err) {
    if (err instanceof EndOfInput) throw new GoJsonError('unexpected EOF');
    throw err;
  }
}

/** `json.Unmarshal(body, &v)`: exactly one value. */
export function unmarshalParse(body: string): JsonValue {
  const p = new Parser(body);
  try {
    const v = p.value();
    p.skip();
    if (p.i < body.length) throw new GoJsonError(`invalid character ${quoteChar(body[p.i]!)} after top-level value`);
    return v;
  } catch (err) {
    if (err instanceof EndOfInput) throw new GoJsonError('unexpected end of JSON input');
    throw err;
  }
}

// ---------------------------------------------------------------- decoding

export interface DecodeContext {
  /** The innermost struct being decoded and the JSON names from the root. */
  struct?: string;
  path: string[];
  /** The first type error (decoding goes on after it). */
  saved?: GoJsonError;
}

const KIND_WORD: Record<JsonValue['t'], string> = { null: 'null', bool: 'bool', number: 'number', string: 'string', array: 'array', object: 'object' };

function typeError(ctx: DecodeContext, value: string, t: GoType): void {
  const msg = ctx.struct !== undefined || ctx.path.length > 0
    ? `json: cannot unmarshal ${value} into Go struct field ${ctx.struct}.${ctx.path.join('.')} of type ${typeName(t)}`
    : `json: cannot unmarshal ${value} into Go value of type ${typeName(t)}`;
  ctx.saved ??= new GoJsonError(msg);
}

const INT_RANGE = { int: [-(2n ** 63n), 2n ** 63n - 1n], int64: [-(2n ** 63n), 2n ** 63n - 1n] } as const;

function isValidNumber(s: string): boolean {
  return /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(s);
}

/** Decodes `v` into type `t`; `current` is what the Go value held before (null leaves it). */
function decodeValue(v: JsonValue, t: GoType, ctx: DecodeContext, current?: unknown): unknown {
  if (t.kind === 'custom') return v.t === 'null' ? current : t.decode(v, ctx);
  if (v.t === 'null') return t.kind === 'pointer' || t.kind === 'slice' ? null : current;
  switch (t.kind) {
    case 'pointer':
      return decodeValue(v, t.elem, ctx, current ?? undefined);
    case 'string':
      if (v.t === 'string') return v.v;
      typeError(ctx, KIND_WORD[v.t], t);
      return current;
    case 'bool':
      if (v.t === 'bool') return v.v;
      typeError(ctx, KIND_WORD[v.t], t);
      return current;
    case 'int': {
      if (v.t !== 'number') {
        typeError(ctx, KIND_WORD[v.t], t);
        return current;
      }
      if (!/^-?\d+$/.test(v.lit)) {
        typeError(ctx, `number ${v.lit}`, t);
        return current;
      }
      const n = BigInt(v.lit);
      const [lo, hi] = INT_RANGE[t.name];
      if (n < lo || n > hi) {
        typeError(ctx, `number ${v.lit}`, t);
        return current;
      }
      return Number(n);
    }
    case 'number':
      if (v.t === 'number') return v.lit;
      if (v.t === 'string') {
        if (!isValidNumber(v.v)) throw new GoJsonError(`json: invalid number literal, trying to unmarshal ${JSON.stringify(v.lit)} into Number`);
        return v.v;
      }
      typeError(ctx, KIND_WORD[v.t], t);
      return current;
    case 'slice': {
      if (v.t !== 'array') {
        typeError(ctx, KIND_WORD[v.t], t);
        return current;
      }
      return v.items.map((item) => decodeValue(item, t.elem, ctx));
    }
    case 'struct': {
      if (v.t !== 'object') {
        typeError(ctx, KIND_WORD[v.t], t);
        return current;
      }
      const out = { ...((current ?? zero(t)) as Record<string, unknown>) };
      for (const [key, item] of v.entries) {
        const field = t.fields.find((f) => f.json === key) ?? t.fields.find((f) => f.json.toLowerCase() === key.toLowerCase());
        if (!field) continue;
        const outer = { struct: ctx.struct, path: ctx.path };
        ctx.struct = t.name;
        ctx.path = [...ctx.path, field.json];
        out[field.json] = decodeValue(item, field.type, ctx, out[field.json]);
        ctx.struct = outer.struct;
        ctx.path = outer.path;
      }
      return out;
    }
  }
}

/** The zero value Go starts from: "" / 0 / false, nil pointers and slices, nested zero structs. */
export function zero(t: GoType): unknown {
  switch (t.kind) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'int':
      return 0;
    case 'number':
      return '';
    case 'slice':
    case 'pointer':
    case 'custom':
      return null;
    case 'struct':
      return Object.fromEntries(t.fields.map((f) => [f.json, zero(f.type)]));
  }
}

/** Decodes a parsed value into `t` as a top-level `Decode`/`Unmarshal` does; throws GoJsonError with Go's message. */
export function decodeInto<T = Record<string, unknown>>(v: JsonValue, t: GoType): T {
  const ctx: DecodeContext = { path: [] };
  const out = decodeValue(v, t, ctx, zero(t));
  if (ctx.saved) throw ctx.saved;
  return out as T;
}

/**
 * A type with its own UnmarshalJSON that first tries `alt` and otherwise decodes into `alias`
 * (Go: a nested json.Unmarshal whose type error gets the outer field path in front of its own).
 */
export function eitherOr(name: string, alt: GoType, alias: GoType & { kind: 'struct' }, fromAlt: (v: unknown) => unknown): GoType {
  return {
    kind: 'custom',
    name,
    decode: (raw, ctx) => {
      const tryAlt: DecodeContext = { path: [] };
      const a = decodeValue(raw, alt, tryAlt, zero(alt));
      if (!tryAlt.saved) return fromAlt(a);
      const inner: DecodeContext = { path: [] };
      const out = decodeValue(raw, alias, inner, zero(alias));
      if (inner.saved) {
        // UnmarshalJSON's error ends decoding at once (it outranks a type error saved earlier); the
        // nested error keeps its own path after the outer one and names the outer struct.
        const m = /^json: cannot unmarshal (.+?) into Go (?:struct field \S+?\.(\S+)|value) of type (.+)$/.exec(inner.saved.message);
        if (!m) throw inner.saved;
        const path = [...ctx.path, ...(m[2] ? [m[2]] : [])].join('.');
        throw new GoJsonError(`json: cannot unmarshal ${m[1]} into Go struct field ${ctx.struct}.${path} of type ${m[3]}`);
      }
      return out;
    },
  };
}
