// Repeated `--param KEY=VALUE` flags as a record of text values (the processor's declared defaults type them later).
import { TrickleError } from '../errors.js';

/** Splits repeated `KEY=VALUE` flags into a record (usage error on a missing `=`). */
export function parseParamFlags(list: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const i = item.indexOf('=');
    if (i <= 0) throw new TrickleError('TRICKLE_USAGE', `--param expects KEY=VALUE, got "${item}"`);
    out[item.slice(0, i).trim()] = item.slice(i + 1);
  }
  return out;
}
