// `trickle probe`'s text report: a compact table with one row per segment, then the summary and the assertions.
import chalk, { Chalk } from 'chalk';
import type { ProbeReport, Rgb, SegmentProbe } from '../../probe/types.js';

const COLUMNS = ['seq', 'bytes', 'at s', 'idle s', 'key', 'decodes', 'frames', 'fps', 'size', 'audio', 'a/v ms', 'mean RGB'] as const;

function kib(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)}M` : `${(n / 1024).toFixed(1)}K`;
}

function rgb(c: Rgb | null): string {
  return c ? `${Math.round(c.r)},${Math.round(c.g)},${Math.round(c.b)}` : '-';
}

function signed(n: number | null, digits = 1): string {
  return n === null ? '-' : `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`;
}

function row(s: SegmentProbe): string[] {
  return [
    String(s.seq),
    kib(s.bytes),
    s.receivedAt.toFixed(2),
    s.idleBefore === null ? '-' : s.idleBefore.toFixed(2),
    s.keyframeStart ? 'yes' : 'NO',
    s.decodes ? 'yes' : 'NO',
    s.decodedFrames === s.videoFrames ? String(s.videoFrames) : `${s.decodedFrames}/${s.videoFrames}`,
    s.fps === null ? '-' : s.fps.toFixed(2),
    s.width === null ? '-' : `${s.width}x${s.height}`,
    s.audio ? `${s.audio.codec}${s.audio.channels === null ? '' : ` ${s.audio.channels}ch`}` : 'none',
    signed(s.avOffsetMs),
    rgb(s.meanColor),
  ];
}

/** Why: what an operator reads on a terminal; `--json` carries the same facts for scripts. */
export function formatProbeText(r: ProbeReport, color: boolean): string {
  const c = color ? chalk : new Chalk({ level: 0 });
  const rows = [[...COLUMNS], ...r.segments.map(row)];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((cells) => cells[i].length)));
  const lines = rows.map((cells, n) => {
    const text = cells.map((cell, i) => (i === 0 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd();
    return n === 0 ? c.dim(text) : /\bNO\b/.test(text) ? c.red(text) : text;
  });
  for (const s of r.segments) {
    if (s.missingBefore > 0) lines.push(c.yellow(`  ${s.missingBefore} segment(s) missing before seq ${s.seq}`));
    if (!s.decodes) lines.push(c.red(`  seq ${s.seq} does not decode on its own: ${s.decodeError ?? 'unknown error'}`));
  }
  const m = r.summary;
  const yes = (b: boolean) => (b ? c.green('yes') : c.red('no'));
  lines.push(
    '',
    `segments   ${m.segments} read in ${r.seconds.toFixed(1)} s (stopped: ${r.ended}), ${(m.bytes / 1024).toFixed(1)} KiB`,
    `decodes    ${yes(m.decodes)} (each segment on its own)`,
    `keyframes  ${yes(m.keyframes)} (each segment starts with one)`,
    `video      ${m.videoCodec ?? 'none'}${m.resolutions.length ? ` ${m.resolutions.join(' → ')}` : ''}, ${m.videoFrames} frames, ${m.fps === null ? '-' : m.fps.toFixed(2)} fps (lowest ${m.minFps === null ? '-' : m.minFps.toFixed(2)})`,
    `audio      ${m.audio ? `${m.audio.codec}, ${m.audio.channels ?? '?'} ch, ${m.audio.sampleRate ?? '?'} Hz in ${m.audioSegments} of ${m.segments} segments` : 'none'}`,
    `a/v start  ${signed(m.avOffsetMs)} ms (audio − video, furthest from zero)`,
    `gaps       ${m.gaps} missing seqs (${m.relayJumps} skipped behind the relay); longest idle ${m.maxIdleSeconds === null ? '-' : m.maxIdleSeconds.toFixed(2)} s, longest interval ${m.maxIntervalSeconds === null ? '-' : m.maxIntervalSeconds.toFixed(2)} s`,
    `mean RGB   ${rgb(m.meanColor)}`,
  );
  if (r.events) {
    const types = Object.entries(r.events.types).map(([t, n]) => `${t} ${n}`).join(', ');
    lines.push(`states     ${r.events.states.length ? r.events.states.join(', ') : 'none seen'} (${r.events.events} events${types ? `: ${types}` : ''})`);
  }
  r.expectations.forEach((e, i) => {
    const mark = e.ok ? c.green('ok  ') : c.red('FAIL');
    lines.push(`${i === 0 ? 'expect    ' : '          '} ${mark} ${e.expectation} (${e.actual})`);
  });
  return lines.join('\n') + '\n';
}
