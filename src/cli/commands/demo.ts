// `trickle demo`: the main job end to end on embedded defaults.
import { Command } from 'commander';
import { addCommonOptions, defineAction, notYetAvailable, withExamples } from '../command.js';

export function demoCommand(): Command {
  const cmd = new Command('demo')
    .description('run relay + publish + process + subscribe on a generated test pattern')
    .option('--processor <name|path>', 'processor to run (default red-tint)')
    .option('-o, --output <file>', 'where to write the processed stream (default demo-output.ts)')
    .option('--duration <seconds>', 'length of the generated input (default 6)')
    .option('--ffmpeg <path>', 'ffmpeg binary to use');
  addCommonOptions(cmd);
  withExamples(cmd, 'trickle demo', 'trickle demo --processor grayscale -o gray.ts');
  return defineAction(cmd, 'demo', notYetAvailable('demo'));
}
