// `trickle relay`: runs the trickle relay server until a signal arrives.
import { Command } from 'commander';
import { addCommonOptions, defineAction, notYetAvailable, withExamples } from '../command.js';

export function relayCommand(): Command {
  const cmd = new Command('relay')
    .description('run a trickle relay server (go-livepeer semantics)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default 3389; 0 picks a free one)')
    .option('--path <path>', 'base path of every channel (default /)')
    .option('--no-autocreate', 'only serve channels created with POST {path}{channel}')
    .option('--changefeed', 'publish channel additions/removals on the _changes channel')
    .option('--idle-timeout <seconds>', 'delete channels with no writes for this long (default 300)')
    .option('--max-segment-bytes <n>', 'refuse segments larger than this with 413 (default 268435456)');
  addCommonOptions(cmd);
  withExamples(cmd, 'trickle relay', 'trickle relay --port 0 --changefeed');
  return defineAction(cmd, 'relay', notYetAvailable('relay'));
}
