// Checks a `trickle init` NAME against npm's rules for new package names.
import { builtinModules } from 'node:module';
import { TrickleError } from '../errors.js';

/** npm's shape: lowercase, URL-safe, optionally scoped, not starting with "." or "_". */
const NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;
/** Reserved by npm, and unusable as the folder the package is written to. */
const RESERVED = new Set(['node_modules', 'favicon.ico']);

function invalid(name: string, why: string): TrickleError {
  return new TrickleError('TRICKLE_USAGE', `"${name}" is not a valid package name: ${why}`, {
    hint: 'use lowercase letters, digits and "-", e.g. trickle init my-processor',
  });
}

/**
 * Why: the name goes into package.json, where npm refuses what it cannot publish or install.
 * Returns the folder name it implies (the part after a scope).
 */
export function checkPackageName(name: string): string {
  if (name.length === 0) throw invalid(name, 'it is empty');
  if (name.length > 214) throw invalid(name, 'it is longer than 214 characters');
  if (name !== name.toLowerCase()) throw invalid(name, 'it has uppercase letters');
  if (name.trim() !== name) throw invalid(name, 'it starts or ends with a space');
  if (/^[._]/.test(name)) throw invalid(name, 'it starts with "." or "_"');
  if (!NAME.test(name)) throw invalid(name, 'only a-z, 0-9, "-", ".", "_" and "~" are allowed (and one @scope/)');
  const bare = name.includes('/') ? name.slice(name.indexOf('/') + 1) : name;
  if (RESERVED.has(bare)) throw invalid(name, 'the name is reserved');
  if (name === 'trickcli') throw invalid(name, 'the package depends on trickcli and cannot also be it');
  if (!name.startsWith('@') && builtinModules.includes(name)) throw invalid(name, 'it is the name of a Node.js core module');
  return bare;
}
