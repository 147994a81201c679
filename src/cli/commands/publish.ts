// `trickle publish URL`: MPEG-TS (or text lines) from stdin or a file into a trickle channel.
import { Command } from 'commander';
import { TrickleError } from '../../errors.js';
import { publishStream } from '../../trickle/publish-stream.js';
import { addCommonOptions, defineAction, withExamples } from '../command.js';

interface PublishSettings {
  input?: string;
  re: boolean;
  loop: boolean;
  text: boolean;
  keepOpen: boolean;
  ffmpeg?: string;
  retryWindow: number;
}

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
  cmd.option('--retry-window <seconds>', 'how long to keep retrying an unreachable relay or a lost channel (default 30)');
  addCommonOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nExit codes: 0 input published and channel closed; 3 channel not found (relay without autocreate) or closed by someone else;\n' +
      '1 other failures (relay unreachable for 30 s, ffmpeg could not read the input); 130/143 after Ctrl-C/SIGTERM\n' +
      '(the current segment is completed and the channel closed first).\n',
  );
  withExamples(
    cmd,
    'ffmpeg -re -f lavfi -i testsrc2=size=640x360:rate=30 -c:v libx264 -g 60 -f mpegts - | trickle publish http://127.0.0.1:3389/in',
    'trickle publish http://127.0.0.1:3389/in -i movie.mp4 --re --loop',
    "echo '{\"intensity\":0.8}' | trickle publish http://127.0.0.1:3389/in-control --text",
  );
  return defineAction(cmd, 'publish', async (ctx, args) => {
    const s = ctx.settings<PublishSettings>([
      { key: 'input', type: 'string', flag: '--input' },
      { key: 're', type: 'boolean', default: false },
      { key: 'loop', type: 'boolean', default: false },
      { key: 'text', type: 'boolean', default: false },
      { key: 'keepOpen', type: 'boolean', flag: '--keep-open', default: false },
      { key: 'ffmpeg', type: 'string', env: ['TRICKLE_FFMPEG', 'FFMPEG_PATH'] },
      { key: 'retryWindow', type: 'number', flag: '--retry-window', env: ['TRICKLE_RETRY_WINDOW'], default: 30 },
    ]);
    const input = s.input ?? (process.stdin.isTTY ? undefined : '-');
    if (!input) {
      throw new TrickleError('TRICKLE_USAGE', 'nothing to publish: pipe MPEG-TS into stdin or pass -i FILE');
    }
    if (s.text && input !== '-') throw new TrickleError('TRICKLE_USAGE', '--text reads lines from stdin; it cannot be combined with -i FILE');
    await publishStream({
      url: args[0]!,
      input,
      stdin: process.stdin,
      re: s.re,
      loop: s.loop,
      text: s.text,
      keepOpen: s.keepOpen,
      ffmpegPath: s.ffmpeg,
      retryWindowMs: s.retryWindow * 1000,
      signal: ctx.signal,
      log: ctx.log,
    });
  });
}
