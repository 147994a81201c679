// How soon V8 optimizes the per-frame code of a stream.
//
// V8 runs a function first in its interpreter, then in baseline code, and compiles it with its
// optimizing compiler (TurboFan) only after the function has executed a budget of bytecode several
// times over (Node 20: 66 KB a budget, three budgets plus an allowance for the function's size). A
// stream's handlers run once or twice a frame and are a few hundred bytes of bytecode each, so at 30
// frames a second they reach that point only after a minute or two: until then every frame costs
// more than it will later (Node's CPU per frame of a passthrough stream, measured 25 to 50 s into
// it: a fifth to a third more than with a budget of 8 KB; two minutes in, the two were equal). An 8 KB
// budget has the same code optimized within the first seconds of a stream.
//
// Set by the CLI only (start.ts), before it loads anything else: set after the CLI's modules were
// loaded, the same budget saved a third as much. A program that imports the library keeps its own
// V8 settings.
import v8 from 'node:v8';

/** Bytecode (bytes) a function runs between V8's checks for whether to optimize it. */
export const INTERRUPT_BUDGET = 8 * 1024;

/** Has V8 optimize hot functions after INTERRUPT_BUDGET rather than its default budget (for functions it has not yet begun to count). */
export function optimizeHotCodeSooner(): void {
  v8.setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
}
