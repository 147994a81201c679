// `trickle probe URL`: reads a channel for a while and reports, per segment and in total, whether its media is sound.
import { Command } from 'commander';
import { TrickleError } from '../../errors.js';
import { probeChannel } from '../../probe/probe.js';
import { addCommonOptions, defineAction, withExamples } from '../command.js';
import { formatProbeText } from '../output/probe-text.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

interface ProbeSettings {
  start: number;
  segments?: number;
  duration?: number;
  timeout?: number;
  wait: boolean;
  events?: string;
  /** Repeated flags arrive as an array; String() joins them with commas, which the grammar splits again. */
  expect?: string;
  json: boolean;
  ffmpeg?: string;
}

export function probeCommand(): Command {
  const cmd = new Command('probe')
    .description('read a channel for a while and report whether its segments decode, start with keyframes, keep the frame rate and carry audio')
    .argument('<url>', 'channel URL')
    .option('--start <seq>', 'first segment: -2 the one being written now (default), -1 the next, or N')
    .option('--segments <n>', 'stop after N segments (default: 5, or 10 s, whichever comes first)')
    .option('--duration <seconds>', 'start no new segment this many seconds after the first one began')
    .option('--timeout <seconds>', 'give up waiting for bytes after this long (default 60, or duration + 30)')
    .option('--wait', 'wait (within --timeout) for the channel to be created instead of exiting 3')
    .option('--events <url>', "the stream's events channel: report the states of its status events")
    .option('--expect <assertions>', 'assertions to check, comma-separated and/or repeated (see below)', collect)
    .option('--json', 'print the report as one JSON document')
    .option('--ffmpeg <path>', 'ffmpeg binary to decode with');
  addCommonOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nAssertions (--expect): keyframes, decodes, audio, video (true of every segment);\n' +
      '  fps, minfps, segments, frames, gaps, maxgap (s), avoffset (|ms|), channels with >= <= > < = !=;\n' +
      '  resolution=WxH, audio=CODEC, video=CODEC, state=NAME / state!=NAME (needs --events).\n' +
      'maxgap is the longest time, in seconds, between the last byte of one segment and the first of the next.\n' +
      "Quote assertions in a shell: > and < are redirections there ('fps>=25').\n" +
      '\nExit codes: 0 read and every assertion held; 1 an assertion failed (each is named) or nothing was read;\n' +
      '2 bad flags or an assertion that does not parse; 3 the channel does not exist.\n',
  );
  withExamples(
    cmd,
    'trickle probe http://127.0.0.1:3389/out',
    "trickle probe http://127.0.0.1:3389/out --expect 'fps>=25,keyframes,decodes,audio' --expect resolution=1280x720",
    'trickle probe http://127.0.0.1:3389/out --events http://127.0.0.1:3389/out-events --expect state=ONLINE --json | jq .summary',
  );
  return defineAction(cmd, 'probe', async (ctx, args) => {
    const s = ctx.settings<ProbeSettings>([
      { key: 'start', type: 'int', flag: '--start', default: -2 },
      { key: 'segments', type: 'int', flag: '--segments' },
      { key: 'duration', type: 'number', flag: '--duration' },
      { key: 'timeout', type: 'number', flag: '--timeout' },
      { key: 'wait', type: 'boolean', default: false },
      { key: 'events', type: 'string', flag: '--events' },
      { key: 'expect', type: 'string', flag: '--expect' },
      { key: 'json', type: 'boolean', default: false },
      { key: 'ffmpeg', type: 'string', env: ['TRICKLE_FFMPEG'], flag: '--ffmpeg' },
    ]);
    const report = await probeChannel({
      url: args[0]!,
      start: s.start,
      segments: s.segments,
      durationSeconds: s.duration,
      timeoutSeconds: s.timeout,
      waitForChannel: s.wait,
      eventsUrl: s.events,
      expect: s.expect === undefined ? [] : [s.expect],
      ffmpegPath: s.ffmpeg,
      signal: ctx.signal,
      log: ctx.log,
    });
    // The report is the command's output: stdout, whatever the verdict.
    process.stdout.write(s.json ? JSON.stringify(report, null, 2) + '\n' : formatProbeText(report, ctx.color && Boolean(process.stdout.isTTY)));
    if (report.ok) return;
    if (report.segments.length === 0) {
      throw new TrickleError('TRICKLE_EXPECTATION_FAILED', `no segment was read from ${report.url} (stopped: ${report.ended})`);
    }
    const failed = report.expectations.filter((e) => !e.ok);
    throw new TrickleError('TRICKLE_EXPECTATION_FAILED', `${failed.length} of ${report.expectations.length} expectations failed: ${failed.map((e) => `${e.expectation} (${e.actual})`).join('; ')}`);
  });
}
