// Runs every compiled *.test.js under dist/test with node's test runner (args filter by path substring).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));

function find(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'bench' ? [] : find(full);
    return name.endsWith('.test.js') ? [full] : [];
  });
}

const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));
// Filters match the path under dist/ (test/init/plain.test.js), not the checkout's own folder name.
const files = find(root)
  .filter((f) => filters.length === 0 || filters.some((x) => path.relative(path.dirname(root), f).includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  ['--test', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, '--test-timeout=240000', ...flags, ...files],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
