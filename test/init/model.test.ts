// `trickle init NAME --model`: the ONNX package installs offline, type-checks, and passes its own npm test.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { invertGraph } from '../helpers/onnx-graphs.js';
import { invertModelBytes } from '../../src/init/templates/invert-model.js';
import { npmInstall, scratch, step, typeCheck } from './scaffold.js';

let dir: string;
let cleanup: () => Promise<void>;

before(async () => {
  ({ dir, cleanup } = await scratch());
});
after(() => cleanup?.());

test('the shipped model bytes are exactly invertGraph() as onnx-proto serialises it', () => {
  assert.deepEqual(Buffer.from(invertModelBytes()), Buffer.from(invertGraph()));
});

test('trickle init --model writes an ONNX package whose npm install (offline) and npm test pass', { timeout: 300_000 }, async () => {
  const init = await runCli(['init', '@acme/negative', '--model'], { cwd: dir });
  assert.equal(init.exitCode, 0, init.stderr);
  // A scoped name is written to a folder named without its scope.
  const pkgDir = path.join(dir, 'negative');
  assert.equal(JSON.parse(await readFile(path.join(pkgDir, 'package.json'), 'utf8')).name, '@acme/negative');
  assert.deepEqual(await readFile(path.join(pkgDir, 'model', 'invert.onnx')), Buffer.from(invertGraph()));
  const index = await readFile(path.join(pkgDir, 'index.js'), 'utf8');
  for (const name of ['createSession', 'frameToTensor', 'tensorToFrame']) assert.ok(index.includes(name), `index.js uses ${name}`);

  const install = await npmInstall(pkgDir, path.join(dir, 'npm-cache'));
  assert.equal(install.exitCode, 0, install.output);
  const types = await typeCheck(pkgDir, ['index.js', 'test/processor.test.js', 'test/trickle.js']);
  assert.equal(types.exitCode, 0, types.output);

  const npmTest = await step('npm', ['test'], pkgDir);
  assert.equal(npmTest.exitCode, 0, npmTest.output);
  assert.match(npmTest.output, /^# pass 1$/m);
  assert.match(npmTest.output, /negative \(255 - value\)/);
});
