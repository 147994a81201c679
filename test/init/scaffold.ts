// Drives a package written by `trickle init` as its user would: npm install, a type check, npm test.
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the trickcli folder whose built CLI the tests run. */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');

export interface StepResult {
  exitCode: number;
  output: string;
}

/**
 * Environment for npm children: without NODE_TEST_CONTEXT, which would make the generated
 * package's own `node --test` report to this runner instead of printing its results.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false' };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

/** Runs a command in `cwd` to completion; stdout and stderr interleaved as `output`. */
export async function step(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<StepResult> {
  const r = await execa(cmd, args, { cwd, reject: false, all: true, timeout: 240_000, env: { ...childEnv(), ...env }, extendEnv: false });
  return { exitCode: r.exitCode ?? -1, output: String(r.all ?? '') };
}

/**
 * `npm install` as on a fresh machine without network: --offline fails any fetch, and the npm
 * cache is a new empty folder, so nothing can come from an earlier download either.
 */
export function npmInstall(dir: string, emptyCache: string): Promise<StepResult> {
  return step('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], dir, { npm_config_cache: emptyCache });
}

/** Type-checks the package's JavaScript (JSDoc, strict) against trickcli's declarations, with this repo's tsc. */
export function typeCheck(dir: string, files: string[]): Promise<StepResult> {
  const tsc = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = ['--noEmit', '--allowJs', '--checkJs', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022'];
  args.push('--types', 'node', '--typeRoots', path.join(REPO, 'node_modules', '@types'), ...files);
  return step(process.execPath, [tsc, ...args], dir);
}

/** A scratch folder removed by the returned cleanup. */
export async function scratch(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'trickle-init-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
