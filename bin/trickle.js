#!/usr/bin/env node
// Entry shim: runs the compiled CLI (build with `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const start = new URL('../dist/src/cli/start.js', import.meta.url);
if (!existsSync(fileURLToPath(start))) {
  process.stderr.write('trickle: the CLI is not built yet. Run `npm run build` in ' + fileURLToPath(new URL('..', import.meta.url)) + '\n');
  process.exit(2);
}
const { startCli } = await import(start.href);
await startCli(process.argv);
