// Test children that start the way the CLI does (or the library, or main() alone), for checks of the V8 settings the CLI makes.

const START = new URL('../../src/cli/start.js', import.meta.url).href;
const MAIN = new URL('../../src/cli/main.js', import.meta.url).href;
const LIBRARY = new URL('../../src/index.js', import.meta.url).href;

/** 'trickle …' starts as bin/trickle.js does (a stream command or a quick one); the others skip start.ts. */
export type CliStart = `trickle ${string}` | 'main() alone' | 'the library';

/** Module code (for `node --input-type=module -e`) that starts a child as `start` says. */
export function startCode(start: CliStart): string {
  if (start.startsWith('trickle ')) return `await (await import(${JSON.stringify(START)})).startCli(${JSON.stringify(['node', ...start.split(' ')])});`;
  if (start === 'main() alone') return `await (await import(${JSON.stringify(MAIN)})).main(['node', 'trickle', '--version']);`;
  return `await import(${JSON.stringify(LIBRARY)});`;
}
