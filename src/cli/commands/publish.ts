// `trickle publish URL`: MPEG-TS (or text lines) from stdin or a file into a trickle channel.
import { Command } from 'commander';
import { addCommonOptions, defineAction, notYetAvailable, withExamples } from '../command.js';

export function publishCommand(): Command {
  const cmd = new Command('publish')
    .description('publish MPEG-TS into a trickle channel, one segment per GOP')
    .argument('<url>', 'channel URL, e.g. http://127.0.0.1:3389/mystream')
    .option('-i, --input <file>', 'file to read (any format ffmpeg reads), or - for stdin (default)')
    .option('--re', 'pace a file at its real-time rate')
    .option('--loop', 'repeat the input file forever')
    .option('--text', 'publish each stdin line as one segment (control/events channels)')
    .option('--keep-open', 'do not close the channel at end of input')
    .option('--ffmpeg <path>', 'ffmpeg binary to use');
  addCommonOptions(cmd);
  withExamples(
    cmd,
    'ffmpeg -re -f lavfi -i testsrc2=size=640x360:rate=30 -c:v libx264 -g 60 -f mpegts - | trickle publish http://127.0.0.1:3389/in',
    'trickle publish http://127.0.0.1:3389/in -i movie.mp4 --re --loop',
    "echo '{\"intensity\":0.8}' | trickle publish http://127.0.0.1:3389/in-control --text",
  );
  return defineAction(cmd, 'publish', notYetAvailable('publish'));
}
