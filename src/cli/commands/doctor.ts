// `trickle doctor`: what this machine has for running trickle.
import { Command } from 'commander';
import { addCommonOptions, defineAction, notYetAvailable, withExamples } from '../command.js';

export function doctorCommand(): Command {
  const cmd = new Command('doctor')
    .description('report ffmpeg, onnxruntime and GPU support on this machine')
    .option('--json', 'print the report as JSON')
    .option('--ffmpeg <path>', 'ffmpeg binary to check');
  addCommonOptions(cmd);
  withExamples(cmd, 'trickle doctor', 'trickle doctor --json | jq .verdict');
  return defineAction(cmd, 'doctor', notYetAvailable('doctor'));
}
