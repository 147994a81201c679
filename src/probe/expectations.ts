// `--expect` assertions: parsed up front (a typo is a usage error before anything is read), checked against the report.
import { TrickleError } from '../errors.js';
import type { EventsProbe, ExpectationResult, ProbeSummary, SegmentProbe } from './types.js';

type Op = '>=' | '<=' | '>' | '<' | '=' | '!=';

export interface Expectation {
  /** As the user wrote it (trimmed). */
  text: string;
  key: string;
  op?: Op;
  value?: string;
}

interface Measured {
  summary: ProbeSummary;
  segments: readonly SegmentProbe[];
  events: EventsProbe | null;
}

/** Assertions that take no operator: a property of every segment. */
const FLAGS: Record<string, (m: Measured) => { ok: boolean; actual: string }> = {
  keyframes: (m) => everySegment(m, (s) => s.keyframeStart, ['does not start with a keyframe', 'do not start with a keyframe'], 'every segment starts with a keyframe'),
  decodes: (m) => {
    const bad = m.segments.filter((s) => !s.decodes);
    if (m.segments.length === 0) return { ok: false, actual: 'no segments read' };
    if (bad.length === 0) return { ok: true, actual: 'every segment decodes on its own' };
    return { ok: false, actual: bad.map((s) => `segment ${s.seq}: ${s.decodeError ?? 'did not decode'}`).join('; ') };
  },
  audio: (m) => everySegment(m, (s) => s.audio !== null, ['has no audio', 'have no audio'], `audio in every segment (${describeAudio(m.summary)})`),
  video: (m) => everySegment(m, (s) => s.videoFrames > 0, ['has no video', 'have no video'], 'video in every segment'),
};

/** Numeric quantities, and what they are read from. */
const NUMBERS: Record<string, (m: Measured) => number | null> = {
  fps: (m) => m.summary.fps,
  minfps: (m) => m.summary.minFps,
  segments: (m) => m.summary.segments,
  frames: (m) => m.summary.decodedFrames,
  gaps: (m) => m.summary.gaps,
  maxgap: (m) => m.summary.maxIdleSeconds,
  avoffset: (m) => (m.summary.avOffsetMs === null ? null : Math.abs(m.summary.avOffsetMs)),
  channels: (m) => m.summary.audio?.channels ?? null,
};

/** Text quantities (only `=` and `!=`). */
const TEXTS: Record<string, (m: Measured) => string[] | null> = {
  resolution: (m) => m.summary.resolutions,
  state: (m) => m.events?.states ?? null,
  audio: (m) => (m.summary.audio ? [m.summary.audio.codec] : []),
  video: (m) => (m.summary.videoCodec ? [m.summary.videoCodec] : []),
};

const GRAMMAR = /^([a-z]+)\s*(?:(>=|<=|!=|==|=|>|<)\s*(\S.*))?$/i;

export const EXPECTATION_KEYS = [...new Set([...Object.keys(FLAGS), ...Object.keys(NUMBERS), ...Object.keys(TEXTS)])];

function describeAudio(s: ProbeSummary): string {
  if (!s.audio) return 'none';
  return `${s.audio.codec}${s.audio.channels === null ? '' : `, ${s.audio.channels} ch`}`;
}

/** `failing` is the predicate in words, for one segment and for several. */
function everySegment(m: Measured, test: (s: SegmentProbe) => boolean, failing: [string, string], passing: string): { ok: boolean; actual: string } {
  if (m.segments.length === 0) return { ok: false, actual: 'no segments read' };
  const bad = m.segments.filter((s) => !test(s)).map((s) => s.seq);
  if (bad.length === 0) return { ok: true, actual: passing };
  return { ok: false, actual: bad.length === 1 ? `segment ${bad[0]} ${failing[0]}` : `segments ${bad.join(', ')} ${failing[1]}` };
}

function usage(text: string, why: string): TrickleError {
  return new TrickleError('TRICKLE_USAGE', `--expect ${JSON.stringify(text)}: ${why}`, {
    hint: `write KEY, or KEY OP VALUE with OP one of >= <= > < = != (keys: ${EXPECTATION_KEYS.join(', ')}); separate several with commas`,
  });
}

/** Why: every `--expect` value may hold several comma-separated assertions; each must parse before the probe starts. */
export function parseExpectations(items: readonly string[], opts: { events: boolean }): Expectation[] {
  const out: Expectation[] = [];
  for (const text of items.flatMap((i) => i.split(',')).map((t) => t.trim()).filter(Boolean)) {
    const m = GRAMMAR.exec(text);
    if (!m) throw usage(text, 'not an assertion');
    const key = m[1].toLowerCase();
    const op = m[2] === '==' ? '=' : (m[2] as Op | undefined);
    const value = m[3]?.trim();
    if (!op) {
      if (!FLAGS[key]) throw usage(text, NUMBERS[key] || TEXTS[key] ? `${key} needs an operator and a value` : `unknown key ${key}`);
    } else if (NUMBERS[key]) {
      if (!Number.isFinite(Number(value))) throw usage(text, `${value} is not a number`);
    } else if (TEXTS[key]) {
      if (op !== '=' && op !== '!=') throw usage(text, `${key} takes = or != only`);
      if (key === 'resolution' && !/^\d+x\d+$/.test(value!)) throw usage(text, 'a resolution is WIDTHxHEIGHT, e.g. 1280x720');
      if (key === 'state' && !opts.events) throw usage(text, 'states come from the events channel: add --events URL');
    } else throw usage(text, FLAGS[key] ? `${key} takes no value` : `unknown key ${key}`);
    out.push({ text, key, op, value });
  }
  return out;
}

function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case '>=': return a >= b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '<': return a < b;
    case '=': return a === b;
    case '!=': return a !== b;
  }
}

function checkOne(e: Expectation, m: Measured): ExpectationResult {
  const result = (ok: boolean, actual: string): ExpectationResult => ({ expectation: e.text, ok, actual });
  if (!e.op) {
    const r = FLAGS[e.key](m);
    return result(r.ok, r.actual);
  }
  if (NUMBERS[e.key]) {
    const v = NUMBERS[e.key](m);
    if (v === null) return result(false, e.key === 'maxgap' ? 'not measured (fewer than two segments)' : 'not measured');
    return result(compare(v, e.op, Number(e.value)), String(v));
  }
  const seen = TEXTS[e.key](m) ?? [];
  if (e.key === 'state') {
    const has = seen.includes(e.value!);
    return result(e.op === '=' ? has : !has, seen.length ? `states seen: ${seen.join(', ')}` : 'no states seen');
  }
  // `=`: everything seen is the value (one resolution throughout); `!=`: the value was never seen.
  const ok = e.op === '=' ? seen.length === 1 && seen[0] === e.value : !seen.includes(e.value!);
  return result(ok, seen.length ? seen.join(', ') : 'none');
}

/** Checks each expectation against what was measured; the results keep the order they were given in. */
export function checkExpectations(list: readonly Expectation[], measured: Measured): ExpectationResult[] {
  return list.map((e) => checkOne(e, measured));
}
