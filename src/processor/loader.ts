// Finds and imports a processor module (built-in name, file path or package) and runs its load() once.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TrickleError } from '../errors.js';
import { isPixelFormat, PIXEL_FORMATS } from '../media/pixel-format.js';
import type { LoadContext, ProcessorDefinition } from './types.js';

/** dist/processors/ (built-ins compile there from processors/*.ts at the repo root). */
const BUILTIN_DIR = fileURLToPath(new URL('../../processors/', import.meta.url));

/** Names of the built-in processors shipped with this build. */
export function builtinProcessors(): string[] {
  if (!existsSync(BUILTIN_DIR)) return [];
  return readdirSync(BUILTIN_DIR)
    .filter((f) => f.endsWith('.js') && !f.startsWith('_'))
    .map((f) => f.slice(0, -3))
    .sort();
}

function isPathSpec(spec: string): boolean {
  return spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../') || path.isAbsolute(spec) || spec.startsWith('file:') || /\.(m?js|cjs)$/.test(spec);
}

function notFound(spec: string, cause?: unknown): TrickleError {
  return new TrickleError('TRICKLE_PROCESSOR_NOT_FOUND', `processor "${spec}" not found`, {
    cause,
    hint: `built-ins: ${builtinProcessors().join(', ')}; or pass ./file.js, an absolute path or an installed package name`,
  });
}

/** A folder is a processor package (what `trickle init` writes): its package.json "main", else index.js. */
function packageEntry(spec: string, dir: string): string {
  try {
    return createRequire(path.join(dir, 'noop.js')).resolve(dir);
  } catch (err) {
    throw new TrickleError('TRICKLE_PROCESSOR_NOT_FOUND', `processor folder "${spec}" has no entry module`, {
      cause: err,
      hint: 'give its package.json a "main" field, or put the processor in index.js',
    });
  }
}

/** Where `spec` lives as an importable URL, or a TRICKLE_PROCESSOR_NOT_FOUND error. */
export function resolveProcessorUrl(spec: string, cwd: string = process.cwd()): string {
  if (!spec) throw notFound(spec);
  if (/^[a-z0-9][a-z0-9-]*$/.test(spec) && existsSync(path.join(BUILTIN_DIR, `${spec}.js`))) {
    return pathToFileURL(path.join(BUILTIN_DIR, `${spec}.js`)).href;
  }
  if (isPathSpec(spec)) {
    const file = spec.startsWith('file:') ? fileURLToPath(spec) : path.resolve(cwd, spec);
    if (!existsSync(file)) throw notFound(spec);
    return pathToFileURL(statSync(file).isDirectory() ? packageEntry(spec, file) : file).href;
  }
  try {
    const require = createRequire(path.join(cwd, 'noop.js'));
    return pathToFileURL(require.resolve(spec)).href;
  } catch (err) {
    throw notFound(spec, err);
  }
}

/** Imports a processor by built-in name, path or package name and checks its shape. */
export async function loadProcessor(spec: string, opts: { cwd?: string } = {}): Promise<ProcessorDefinition> {
  const url = resolveProcessorUrl(spec, opts.cwd);
  let mod: { default?: unknown };
  try {
    mod = (await import(url)) as { default?: unknown };
  } catch (err) {
    throw new TrickleError('TRICKLE_PROCESSOR_LOAD', `processor "${spec}" failed to import: ${(err as Error).message}`, { cause: err });
  }
  let def = mod.default;
  // A CommonJS module imported from ESM puts module.exports under default; tolerate one nesting.
  if (def && typeof def === 'object' && 'default' in def && typeof (def as { default: unknown }).default === 'object') {
    def = (def as { default: unknown }).default;
  }
  if (!def || typeof def !== 'object' || Array.isArray(def)) {
    throw new TrickleError('TRICKLE_PROCESSOR_LOAD', `processor "${spec}" has no default export object`, {
      hint: 'write `export default defineProcessor({ video(frame, ctx) { … } })`',
    });
  }
  const hooks = ['load', 'start', 'video', 'audio', 'update', 'stop'] as const;
  for (const h of hooks) {
    const v = (def as Record<string, unknown>)[h];
    if (v !== undefined && typeof v !== 'function') {
      throw new TrickleError('TRICKLE_PROCESSOR_LOAD', `processor "${spec}": ${h} must be a function, got ${typeof v}`);
    }
  }
  const format = (def as Record<string, unknown>).format;
  if (format !== undefined && !isPixelFormat(format)) {
    throw new TrickleError('TRICKLE_PROCESSOR_LOAD', `processor "${spec}": format must be one of ${PIXEL_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  }
  const out = def as ProcessorDefinition;
  // Resolving first names `--processor ./` after its folder rather than ".".
  return out.name ? out : { ...out, name: path.basename(path.resolve(opts.cwd ?? process.cwd(), spec)).replace(/\.(m?js|cjs|ts)$/, '') };
}

/** Runs load() once per process, timed; failures become TRICKLE_PROCESSOR_LOAD. Returns the ms it took. */
export async function runLoad(def: ProcessorDefinition, ctx: LoadContext): Promise<number> {
  const t0 = performance.now();
  if (!def.load) return 0;
  try {
    await def.load(ctx);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    throw new TrickleError('TRICKLE_PROCESSOR_LOAD', `processor ${def.name ?? ''} load() failed: ${(err as Error)?.message ?? err}`, { cause: err });
  }
  const ms = performance.now() - t0;
  ctx.log.info('processor loaded', { processor: def.name, ms: Math.round(ms) });
  return ms;
}
