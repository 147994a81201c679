// The processor loader: built-in names, file paths, package names, errors, params coercion and load().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { builtinProcessors, loadProcessor, runLoad } from '../../src/processor/loader.js';
import { parseParamFlags } from '../../src/cli/param-flags.js';
import { resolveParams } from '../../src/processor/params.js';
import { isTrickleError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';

const BUILTINS = ['passthrough', 'red-tint', 'blue-tint', 'grayscale', 'sepia', 'brightness', 'invert', 'flip', 'mirror', 'audio-gain'];

test('every documented built-in loads by name with its declared params', async () => {
  const names = builtinProcessors();
  for (const name of BUILTINS) {
    assert.ok(names.includes(name), name);
    const def = await loadProcessor(name);
    assert.equal(def.name, name);
  }
  assert.deepEqual((await loadProcessor('red-tint')).params, { intensity: 0.3 });
  assert.deepEqual((await loadProcessor('audio-gain')).params, { gain: 0.8 });
});

test('an unknown name is TRICKLE_PROCESSOR_NOT_FOUND listing the built-ins', async () => {
  await assert.rejects(loadProcessor('no-such-processor-xyz'), (err: unknown) => {
    assert.ok(isTrickleError(err, 'TRICKLE_PROCESSOR_NOT_FOUND'));
    assert.match(err.hint ?? '', /red-tint/);
    return true;
  });
  await assert.rejects(loadProcessor('./missing.js'), (err: unknown) => isTrickleError(err, 'TRICKLE_PROCESSOR_NOT_FOUND'));
});

test('file paths (relative to cwd, absolute), folders and package names load; a module without default export is refused', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'trickle-loader-'));
  try {
    await writeFile(path.join(dir, 'mine.mjs'), 'export default { name: "mine", params: { k: 1 }, video() {} };\n');
    await writeFile(path.join(dir, 'nodefault.mjs'), 'export const video = () => {};\n');
    await writeFile(path.join(dir, 'badhook.mjs'), 'export default { video: 42 };\n');
    await writeFile(path.join(dir, 'gray.mjs'), 'export default { format: "gray", video() {} };\n');
    await writeFile(path.join(dir, 'badformat.mjs'), 'export default { format: "bgr24", video() {} };\n');
    await mkdir(path.join(dir, 'node_modules', 'trickle-proc-pkg'), { recursive: true });
    await writeFile(path.join(dir, 'node_modules', 'trickle-proc-pkg', 'package.json'), JSON.stringify({ name: 'trickle-proc-pkg', type: 'module', main: 'index.js' }));
    await writeFile(path.join(dir, 'node_modules', 'trickle-proc-pkg', 'index.js'), 'export default { name: "from-pkg" };\n');
    assert.equal((await loadProcessor('./mine.mjs', { cwd: dir })).name, 'mine');
    assert.equal((await loadProcessor(path.join(dir, 'mine.mjs'))).name, 'mine');
    assert.equal((await loadProcessor('trickle-proc-pkg', { cwd: dir })).name, 'from-pkg');
    // A folder is a package: package.json "main", else index.js; "." works as well as "./".
    await mkdir(path.join(dir, 'with-main'));
    await writeFile(path.join(dir, 'with-main', 'package.json'), JSON.stringify({ name: 'with-main', type: 'module', main: 'proc.js' }));
    await writeFile(path.join(dir, 'with-main', 'proc.js'), 'export default { name: "folder-main" };\n');
    await mkdir(path.join(dir, 'bare'));
    await writeFile(path.join(dir, 'bare', 'index.js'), 'export default {};\n');
    await mkdir(path.join(dir, 'empty'));
    assert.equal((await loadProcessor('./with-main', { cwd: dir })).name, 'folder-main');
    assert.equal((await loadProcessor('./', { cwd: path.join(dir, 'with-main') })).name, 'folder-main');
    assert.equal((await loadProcessor('.', { cwd: path.join(dir, 'with-main') })).name, 'folder-main');
    assert.equal((await loadProcessor('./', { cwd: path.join(dir, 'bare') })).name, 'bare');
    await assert.rejects(loadProcessor('./empty', { cwd: dir }), (e: unknown) => isTrickleError(e, 'TRICKLE_PROCESSOR_NOT_FOUND') && /no entry module/.test(e.message));
    await assert.rejects(loadProcessor('./nodefault.mjs', { cwd: dir }), (e: unknown) => isTrickleError(e, 'TRICKLE_PROCESSOR_LOAD') && /default export/.test(e.message));
    await assert.rejects(loadProcessor('./badhook.mjs', { cwd: dir }), (e: unknown) => isTrickleError(e, 'TRICKLE_PROCESSOR_LOAD') && /video must be a function/.test(e.message));
    assert.equal((await loadProcessor('./gray.mjs', { cwd: dir })).format, 'gray');
    await assert.rejects(loadProcessor('./badformat.mjs', { cwd: dir }), (e: unknown) => isTrickleError(e, 'TRICKLE_PROCESSOR_LOAD') && /format must be one of rgb24, rgba, yuv420p, gray/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('params: defaults ← --params JSON ← --param, coerced to the declared types', async () => {
  const def = { params: { intensity: 0.3, enabled: true, label: 'x' } };
  assert.deepEqual(resolveParams(def, {}), { intensity: 0.3, enabled: true, label: 'x' });
  const p = resolveParams(def, parseParamFlags(['intensity=0.8', 'enabled=false', 'label=12', 'extra=5', 'other=hi']), { intensity: 0.5, mode: 'a' });
  assert.deepEqual(p, { intensity: 0.8, enabled: false, label: '12', mode: 'a', extra: 5, other: 'hi' });
  assert.equal(resolveParams(def, {}, { intensity: '0.6' }).intensity, 0.6);
  assert.throws(() => resolveParams(def, { intensity: 'lots' }), (e: unknown) => isTrickleError(e, 'TRICKLE_USAGE'));
  assert.throws(() => resolveParams(def, { enabled: 'maybe' }), (e: unknown) => isTrickleError(e, 'TRICKLE_USAGE'));
  assert.throws(() => parseParamFlags(['novalue']), (e: unknown) => isTrickleError(e, 'TRICKLE_USAGE'));
  assert.throws(() => resolveParams(def, {}, [1, 2] as unknown as object), (e: unknown) => isTrickleError(e, 'TRICKLE_USAGE'));
});

test('runLoad runs load() with the params and wraps failures as TRICKLE_PROCESSOR_LOAD', async () => {
  const signal = new AbortController().signal;
  let seen: unknown;
  const ms = await runLoad({ name: 't', load: async (ctx) => void (seen = ctx.params) }, { log: silentLogger, device: 'cpu', params: { a: 1 }, signal });
  assert.deepEqual(seen, { a: 1 });
  assert.ok(ms >= 0);
  await assert.rejects(
    runLoad({ name: 't', load: () => { throw new Error('weights missing'); } }, { log: silentLogger, device: 'cpu', params: {}, signal }),
    (e: unknown) => isTrickleError(e, 'TRICKLE_PROCESSOR_LOAD') && /weights missing/.test(e.message),
  );
});
