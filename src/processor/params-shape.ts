// Params are bounded before anything keeps them: nested at most MAX_PARAMS_DEPTH levels, and serialisable as JSON.
import { FieldError } from '../errors.js';

/** Objects and arrays inside params may nest this deep (`{"a":{"b":1}}` is 2). */
export const MAX_PARAMS_DEPTH = 32;

/** The nesting depth of `value`, walked without recursion; stops counting past `limit`. */
function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const level = d + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) break;
    for (const child of Object.values(v)) stack.push([child, level]);
  }
  return deepest;
}

/**
 * Throws a TRICKLE_USAGE FieldError (field `field`, default `params`) when `value` nests deeper
 * than MAX_PARAMS_DEPTH or cannot be written as JSON (a cycle, a BigInt): params are logged,
 * sent in events and answered on /stream/status, and a deep one overflows the stack there.
 */
export function checkParamsShape(value: unknown, field = 'params'): void {
  if (depthOf(value, MAX_PARAMS_DEPTH) > MAX_PARAMS_DEPTH) {
    throw new FieldError('TRICKLE_USAGE', [field], ([f]) => `${f} nest deeper than ${MAX_PARAMS_DEPTH} levels`);
  }
  try {
    JSON.stringify(value);
  } catch (err) {
    throw new FieldError('TRICKLE_USAGE', [field], ([f]) => `${f} cannot be written as JSON: ${(err as Error).message}`, { cause: err });
  }
}
