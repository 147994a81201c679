// `trickle init NAME`: the written package installs offline, type-checks, and passes its own npm test.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { REPO, npmInstall, scratch, step, typeCheck } from './scaffold.js';

let dir: string;
let cleanup: () => Promise<void>;

before(async () => {
  ({ dir, cleanup } = await scratch());
});
after(() => cleanup?.());

test('trickle init writes a package whose npm install (offline) and npm test pass', { timeout: 300_000 }, async () => {
  const init = await runCli(['init', 'warm-filter'], { cwd: dir });
  assert.equal(init.exitCode, 0, init.stderr);
  const pkgDir = path.join(dir, 'warm-filter');
  for (const next of ['cd warm-filter', 'npm install', 'npm test']) assert.ok(init.stdout.includes(next), `next steps name "${next}":\n${init.stdout}`);

  const pkg = JSON.parse(await readFile(path.join(pkgDir, 'package.json'), 'utf8'));
  assert.equal(pkg.name, 'warm-filter');
  assert.equal(pkg.type, 'module');
  assert.equal(pkg.main, 'index.js');
  assert.deepEqual(pkg.dependencies, { trickcli: `file:${REPO}` });
  assert.deepEqual(Object.keys(pkg.scripts).sort(), ['demo', 'serve', 'start', 'test']);
  assert.match(await readFile(path.join(pkgDir, '.npmrc'), 'utf8'), /^ignore-scripts=true$/m);
  const index = await readFile(path.join(pkgDir, 'index.js'), 'utf8');
  assert.match(index, /^\/\/ @ts-check\n/);
  assert.match(index, /import \{ defineProcessor \} from 'trickcli'/);
  const readme = await readFile(path.join(pkgDir, 'README.md'), 'utf8');
  for (const s of ['npm test', 'trickle demo --processor ./', 'npm run serve', `file:${REPO}`]) assert.ok(readme.includes(s), `README mentions ${s}`);

  const install = await npmInstall(pkgDir, path.join(dir, 'npm-cache'));
  assert.equal(install.exitCode, 0, install.output);
  const link = path.join(pkgDir, 'node_modules', 'trickcli');
  assert.ok((await lstat(link)).isSymbolicLink(), 'node_modules/trickcli is a link');
  assert.equal(await realpath(link), await realpath(REPO));

  const types = await typeCheck(pkgDir, ['index.js', 'test/processor.test.js', 'test/trickle.js']);
  assert.equal(types.exitCode, 0, types.output);

  const npmTest = await step('npm', ['test'], pkgDir);
  assert.equal(npmTest.exitCode, 0, npmTest.output);
  assert.match(npmTest.output, /^# pass 1$/m);
  assert.match(npmTest.output, /^# fail 0$/m);
});
