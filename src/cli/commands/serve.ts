// `trickle serve`: the worker HTTP API that orchestrators drive.
import { Command } from 'commander';
import { addCommonOptions, defineAction, notYetAvailable, withExamples } from '../command.js';

export function serveCommand(): Command {
  const cmd = new Command('serve')
    .description('run the worker HTTP API (PyTrickle-compatible) for an orchestrator')
    .option('--host <host>', 'address to listen on (default 0.0.0.0)')
    .option('--port <port>', 'port to listen on (default 8080)')
    .option('--processor <name|path>', 'processor every stream runs')
    .option('--capacity <n>', 'concurrent streams (default 1)')
    .option('--api-token <token>', 'require this bearer token on every route but /health')
    .option('--register <mode>', 'also register with an orchestrator: byoc or live-runner')
    .option('--device <device>', 'auto, cpu or cuda[:N] for model processors')
    .option('--ffmpeg <path>', 'ffmpeg binary to use');
  addCommonOptions(cmd);
  withExamples(cmd, 'trickle serve --processor red-tint --port 8080');
  return defineAction(cmd, 'serve', notYetAvailable('serve'));
}
