// `trickle subscribe URL`: a trickle channel's segments, concatenated, to stdout or a file.
import { Command } from 'commander';
import { addCommonOptions, defineAction, notYetAvailable, withExamples } from '../command.js';

export function subscribeCommand(): Command {
  const cmd = new Command('subscribe')
    .description('read a trickle channel and write its segments to stdout or a file')
    .argument('<url>', 'channel URL')
    .option('-o, --output <file>', 'file to write, or - for stdout (default)')
    .option('--start <seq>', 'first segment: -2 current (default), -1 next, or N')
    .option('--count <n>', 'stop after N segments')
    .option('--wait', 'wait for the channel to be created instead of exiting 3')
    .option('--text', 'one line per segment (events/data channels)');
  addCommonOptions(cmd);
  withExamples(
    cmd,
    'trickle subscribe http://127.0.0.1:3389/out | ffplay -probesize 32 -fflags nobuffer -flags low_delay -',
    'trickle subscribe http://127.0.0.1:3389/out-events --text | jq .',
  );
  return defineAction(cmd, 'subscribe', notYetAvailable('subscribe'));
}
