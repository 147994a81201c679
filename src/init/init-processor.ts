// `trickle init`: writes a processor package into a folder (refusing to mix it into an existing project).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TrickleError } from '../errors.js';
import { packageFiles } from './files.js';
import { checkPackageName } from './package-name.js';

export interface InitOptions {
  /** The npm package name (validated). */
  name: string;
  /** Target folder; default: the name without its scope, under cwd. */
  dir?: string;
  /** The ONNX example (createSession, a tiny model file). */
  model?: boolean;
  /** Write into a non-empty folder, replacing files of the same names. */
  force?: boolean;
  cwd?: string;
  /** The trickcli folder the package depends on; default: the one running this code. */
  trickcliDir?: string;
}

export interface InitResult {
  dir: string;
  /** Relative paths written, in order. */
  files: string[];
  /** What package.json says for trickcli. */
  trickcliSpec: string;
}

/** The folder of the trickcli package this module belongs to (dist/src/init/ → three levels up). */
export function runningTrickcliDir(): string {
  return fileURLToPath(new URL('../../../', import.meta.url)).replace(/[\\/]$/, '');
}

function checkTarget(dir: string, force: boolean): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) {
    throw new TrickleError('TRICKLE_USAGE', `${dir} exists and is not a folder`, { details: { dir } });
  }
  const entries = readdirSync(dir);
  if (entries.length > 0 && !force) {
    throw new TrickleError('TRICKLE_USAGE', `${dir} is not empty (${entries.length} entries)`, {
      hint: 'pick another name or --dir, or pass --force to write into it anyway (files of the same names are replaced)',
      details: { dir },
    });
  }
}

/** Why: a new processor author gets a package that runs and tests against the real trickle at once. */
export async function initProcessor(o: InitOptions): Promise<InitResult> {
  const folderName = checkPackageName(o.name);
  const dir = path.resolve(o.cwd ?? process.cwd(), o.dir ?? folderName);
  checkTarget(dir, o.force ?? false);
  const trickcliDir = path.resolve(o.trickcliDir ?? runningTrickcliDir());
  if (!existsSync(path.join(trickcliDir, 'package.json'))) {
    throw new TrickleError('TRICKLE_INTERNAL', `no trickcli package.json in ${trickcliDir}`, { details: { trickcliDir } });
  }
  // An absolute file: spec resolves the same from wherever the package is, without the registry.
  const trickcliSpec = `file:${trickcliDir}`;
  const files = packageFiles({ name: o.name, model: o.model ?? false, trickcliSpec });
  try {
    for (const f of files) {
      const file = path.join(dir, ...f.path.split('/'));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, f.contents);
    }
  } catch (err) {
    throw new TrickleError('TRICKLE_INTERNAL', `cannot write the package into ${dir}: ${(err as Error).message}`, { cause: err, details: { dir } });
  }
  return { dir, files: files.map((f) => f.path), trickcliSpec };
}
