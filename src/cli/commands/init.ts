// `trickle init NAME`: writes a processor package (module, test, README, package.json) and says what to do next.
import path from 'node:path';
import { Command } from 'commander';
import { initProcessor, type InitResult } from '../../init/init-processor.js';
import { addCommonOptions, defineAction, withExamples, type CommandContext } from '../command.js';

interface InitSettings {
  model: boolean;
  dir?: string;
  force: boolean;
}

const DETAILS = `
The package needs no build step: index.js is an ES module typed with JSDoc (// @ts-check) against
trickcli's types. Its test (node --test) starts a real trickle relay, publishes a generated clip,
runs trickle process with the package and checks the decoded output's colour; it needs ffmpeg.

package.json depends on "trickcli": "file:<this trickcli's folder>": npm links it and downloads
nothing, so npm install works offline. Exit codes: 0 written; 2 invalid name or a non-empty folder.
`;

function printResult(ctx: CommandContext, name: string, r: InitResult): void {
  if (ctx.format === 'json') {
    ctx.log.info(`created ${name}`, { dir: r.dir, files: r.files, trickcli: r.trickcliSpec });
    return;
  }
  const rel = path.relative(process.cwd(), r.dir);
  const cd = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : r.dir;
  const lines = [
    `created ${name} in ${r.dir}`,
    ...r.files.map((f) => `  ${f}`),
    `trickcli dependency: ${r.trickcliSpec} (a link: npm install needs no network)`,
    '',
    'next steps:',
    `  cd ${/\s/.test(cd) ? JSON.stringify(cd) : cd}`,
    '  npm install',
    '  npm test          # the processor through a real relay and trickle process',
    '  npm run demo      # trickle demo --processor ./  → demo-output.ts',
  ];
  // The summary is the command's output, so it goes to stdout.
  process.stdout.write(lines.join('\n') + '\n');
}

export function initCommand(): Command {
  const cmd = new Command('init')
    .description('write a new processor package: module, test, README, package.json')
    .argument('<name>', 'npm package name; also the folder name (without its @scope/)')
    .option('--model', 'an ONNX example: createSession() in load(), the model run on every frame')
    .option('--dir <dir>', 'folder to write into (default ./NAME)')
    .option('--force', 'write into a non-empty folder, replacing files of the same names');
  addCommonOptions(cmd);
  cmd.addHelpText('after', DETAILS);
  withExamples(
    cmd,
    'trickle init my-processor && cd my-processor && npm install && npm test',
    'trickle init @me/style-model --model --dir style-model',
  );
  return defineAction(cmd, 'init', async (ctx, args) => {
    const s = ctx.settings<InitSettings>([
      { key: 'model', type: 'boolean', flag: '--model', default: false },
      { key: 'dir', type: 'string', flag: '--dir' },
      { key: 'force', type: 'boolean', flag: '--force', default: false },
    ]);
    const name = args[0]!;
    const r = await initProcessor({ name, dir: s.dir, model: s.model, force: s.force });
    printResult(ctx, name, r);
  });
}
