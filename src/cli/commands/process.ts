// `trickle process`: subscribe, decode, run a processor on every frame, encode, publish.
import { Command } from 'commander';
import { addCommonOptions, defineAction, notYetAvailable, withExamples } from '../command.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function processCommand(): Command {
  const cmd = new Command('process')
    .description('run one processing pipeline: subscribe, decode, process, encode, publish')
    .option('--in <url>', 'input channel URL')
    .option('--out <url>', 'output channel URL')
    .option('--processor <name|path>', 'built-in processor name, module path or package name')
    .option('--param <key=value>', 'processor parameter (repeatable)', collect)
    .option('--params <json>', 'processor parameters as a JSON object')
    .option('--control <url>', 'control channel to read live parameter updates from')
    .option('--events <url>', 'events channel to publish monitoring events to')
    .option('--data <url>', 'data channel for text output from the processor')
    .option('--width <w>', 'scale input frames to this width')
    .option('--height <h>', 'scale input frames to this height')
    .option('--max-framerate <n>', 'cap the processed frame rate')
    .option('--gop <seconds>', 'keyframe interval of the output (default 2)')
    .option('--device <device>', 'auto, cpu or cuda[:N] for model processors')
    .option('--ffmpeg <path>', 'ffmpeg binary to use')
    .option('--stats-interval <seconds>', 'print NDJSON stats lines on stderr every S seconds');
  addCommonOptions(cmd);
  withExamples(cmd, 'trickle process --in http://127.0.0.1:3389/in --out http://127.0.0.1:3389/out --processor red-tint --param intensity=0.5');
  return defineAction(cmd, 'process', notYetAvailable('process'));
}
