// `trickle subscribe URL`: a trickle channel's segments, concatenated, to stdout or a file.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Command } from 'commander';
import { TrickleError } from '../../errors.js';
import { subscribeStream } from '../../trickle/subscribe-stream.js';
import { addCommonOptions, defineAction, withExamples } from '../command.js';

interface SubscribeSettings {
  output: string;
  start: number;
  count?: number;
  wait: boolean;
  text: boolean;
  retryWindow: number;
}

export function subscribeCommand(): Command {
  const cmd = new Command('subscribe')
    .description('read a trickle channel and write its segments to stdout or a file')
    .argument('<url>', 'channel URL')
    .option('-o, --output <file>', 'file to write, or - for stdout (default)')
    .option('--start <seq>', 'first segment: -2 current (default), -1 next, or N')
    .option('--count <n>', 'stop after N segments')
    .option('--wait', 'wait for the channel to be created instead of exiting 3')
    .option('--text', 'one line per segment (events/data channels)');
  cmd.option('--retry-window <seconds>', 'how long to keep retrying an unreachable relay or a lost channel (default 30)');
  addCommonOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nExit codes: 0 end of stream (or --count reached, or the reader of stdout went away); 3 channel not found\n' +
      '(without --wait) or gone for good; 1 relay unreachable for 30 s; 130/143 after Ctrl-C/SIGTERM.\n' +
      'A relay restart is ridden out: the subscriber reconnects and picks the channel up again.\n',
  );
  withExamples(
    cmd,
    'trickle subscribe http://127.0.0.1:3389/out | ffplay -probesize 32 -fflags nobuffer -flags low_delay -',
    'trickle subscribe http://127.0.0.1:3389/out-events --text | jq .',
    'trickle subscribe http://127.0.0.1:3389/out --wait --count 5 -o five-segments.ts',
  );
  return defineAction(cmd, 'subscribe', async (ctx, args) => {
    const s = ctx.settings<SubscribeSettings>([
      { key: 'output', type: 'string', flag: '--output', default: '-' },
      { key: 'start', type: 'int', flag: '--start', default: -2 },
      { key: 'count', type: 'int', flag: '--count' },
      { key: 'wait', type: 'boolean', default: false },
      { key: 'text', type: 'boolean', default: false },
      { key: 'retryWindow', type: 'number', flag: '--retry-window', env: ['TRICKLE_RETRY_WINDOW'], default: 30 },
    ]);
    if (s.start < -2) throw new TrickleError('TRICKLE_USAGE', `--start must be -2, -1 or a segment number >= 0, got ${s.start}`);
    if (s.count !== undefined && s.count < 1) throw new TrickleError('TRICKLE_USAGE', `--count must be at least 1, got ${s.count}`);
    const toFile = s.output !== '-';
    const output = toFile ? createWriteStream(s.output) : process.stdout;
    if (toFile) await once(output, 'open');
    try {
      await subscribeStream({
        url: args[0]!,
        output,
        start: s.start,
        count: s.count,
        waitForChannel: s.wait,
        text: s.text,
        retryWindowMs: s.retryWindow * 1000,
        signal: ctx.signal,
        log: ctx.log,
      });
    } finally {
      if (toFile) {
        output.end();
        await once(output, 'close').catch(() => {});
      }
    }
  });
}
