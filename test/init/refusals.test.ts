// `trickle init` refuses what would go wrong: invalid npm names, non-empty folders (exit 2); --force and --dir.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { checkPackageName } from '../../src/init/package-name.js';
import { isTrickleError } from '../../src/errors.js';
import { scratch } from './scaffold.js';

let dir: string;
let cleanup: () => Promise<void>;

before(async () => {
  ({ dir, cleanup } = await scratch());
});
after(() => cleanup?.());

test('package names: npm rules for new packages, scope dropped from the folder name', () => {
  assert.equal(checkPackageName('my-processor'), 'my-processor');
  assert.equal(checkPackageName('@me/style.model_2'), 'style.model_2');
  for (const bad of ['', 'My-Processor', 'has space', '.hidden', '_under', '../escape', 'a/b', '@scope/', '@/x', 'fs', 'http', 'node_modules', 'trickcli', 'x'.repeat(215), 'emoji-😀']) {
    assert.throws(() => checkPackageName(bad), (e: unknown) => isTrickleError(e, 'TRICKLE_USAGE'), JSON.stringify(bad));
  }
});

test('an invalid name exits 2 naming the rule, and writes nothing', async () => {
  const r = await runCli(['init', 'Bad Name'], { cwd: dir });
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /"Bad Name" is not a valid package name: it has uppercase letters/);
  assert.deepEqual(await readdir(dir), []);
});

test('a non-empty folder exits 2 and is left alone; --force writes into it; an empty one is used', async () => {
  const target = path.join(dir, 'taken');
  await mkdir(target);
  await writeFile(path.join(target, 'notes.txt'), 'mine');
  const refused = await runCli(['init', 'taken'], { cwd: dir });
  assert.equal(refused.exitCode, 2);
  assert.match(refused.stderr, /is not empty/);
  assert.match(refused.stderr, /--force/);
  assert.deepEqual(await readdir(target), ['notes.txt']);

  const forced = await runCli(['init', 'taken', '--force'], { cwd: dir });
  assert.equal(forced.exitCode, 0, forced.stderr);
  assert.equal(await readFile(path.join(target, 'notes.txt'), 'utf8'), 'mine');
  assert.ok((await readdir(target)).includes('index.js'));

  await mkdir(path.join(dir, 'empty'));
  const intoEmpty = await runCli(['init', 'other-name', '--dir', 'empty', '--log-format', 'json'], { cwd: dir });
  assert.equal(intoEmpty.exitCode, 0, intoEmpty.stderr);
  const record = JSON.parse(intoEmpty.stderr.trim().split('\n').at(-1)!);
  assert.equal(record.dir, path.join(dir, 'empty'));
  assert.ok(record.files.includes('test/processor.test.js'));
  assert.equal(JSON.parse(await readFile(path.join(dir, 'empty', 'package.json'), 'utf8')).name, 'other-name');
});

test('a file where the folder would go exits 2', async () => {
  await writeFile(path.join(dir, 'a-file'), 'x');
  const r = await runCli(['init', 'a-file'], { cwd: dir });
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /is not a folder/);
});
