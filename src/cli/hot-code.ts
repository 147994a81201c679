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
// Optimized code does not last for ever: when a stream stops or starts, code optimized for the
// streams before it meets a path it never saw (an exit path, an object of another shape) and V8
// throws it away (a deoptimization). The function is then counted again, but its next count starts
// only after it has run its own bytecode as many times over as V8 waits for while optimized code is
// installed (500, its --invocation-count-for-osr): for a stream's loops, 1-2 KB of bytecode each,
// that is 15 to 25 s of frames run unoptimized after every stream's start or stop (seen with
// --trace-opt-verbose: no count of the input loop for 15 s after a new stream started, then its
// eleven counts in 2 s). Eight times over has the count start within a budget or two. The same
// count paces on-stack replacement (a long loop still running in a function whose optimized code is
// on its way is compiled on its own, as it runs), which therefore comes sooner too.
//
// Set by the CLI only (start.ts), before it loads anything else: set after the CLI's modules were
// loaded, the same budget saved a third as much. A program that imports the library keeps its own
// V8 settings.
import v8 from 'node:v8';

/** Bytecode (bytes) a function runs between V8's checks for whether to optimize it. */
export const INTERRUPT_BUDGET = 8 * 1024;

/**
 * How many times over a function runs its own bytecode before V8 counts it again, once it has
 * optimized code or a request for it (also after that code was thrown away).
 */
export const RUNS_BEFORE_RECOUNT = 8;

/**
 * Has V8 optimize hot functions after INTERRUPT_BUDGET rather than its default budget (for
 * functions it has not yet begun to count), and count a function again soon after its optimized
 * code was thrown away.
 */
export function optimizeHotCodeSooner(): void {
  v8.setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
  v8.setFlagsFromString(`--invocation-count-for-osr=${RUNS_BEFORE_RECOUNT}`);
}
