// What bin/trickle.js runs: V8's settings first, then the CLI, loaded only after them (hot-code.ts says why).
import { optimizeHotCodeSooner } from './hot-code.js';
import { startMajorGcByOldGenerationGrowth } from './major-gc.js';

/**
 * The commands that carry streams for as long as they run. The others (help, doctor, probe,
 * register, init) end in a moment: for them an earlier optimization would only add compile work.
 */
export const STREAM_COMMANDS: ReadonlySet<string> = new Set(['relay', 'publish', 'subscribe', 'process', 'serve', 'demo']);

/** The subcommand `argv` names (the first argument after the script that is not an option). */
export function commandOf(argv: readonly string[]): string | undefined {
  return argv.slice(2).find((a) => !a.startsWith('-'));
}

/** Sets V8 up for streams when the command carries them, then loads and runs the `trickle` program with `argv`. */
export async function startCli(argv: string[]): Promise<void> {
  if (STREAM_COMMANDS.has(commandOf(argv) ?? '')) {
    optimizeHotCodeSooner();
    startMajorGcByOldGenerationGrowth();
  }
  const { main } = await import('./main.js');
  await main(argv);
}
