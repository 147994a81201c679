// When V8 starts a major (mark-compact) garbage collection in a process that carries streams.
//
// V8 starts marking the old generation as soon as the room left under the old generation's limit
// is no larger than the young generation's capacity (a young collection could in principle promote
// all of it). A stream allocates a few megabytes a second of short-lived objects, so the young
// generation grows to its full 16 MB semi-spaces; when a collection then sets the old generation's
// limit less than that far above what is live (it depends on how fast V8 judged the collector and
// the program to be, so it happens in some runs and not in others), the test holds right after
// every major collection and V8 marks again and again. Measured in `trickle serve` after two
// streams: a major collection every 2.5 s with no young collection in between (each ~5-10 ms on
// the main thread plus its concurrent marking on V8's worker threads), against one every few
// minutes otherwise; Node's CPU per frame of one passthrough stream, paired side by side, 0.1 to
// 0.45 ms a frame higher in that state.
//
// With percentage triggers V8 starts marking once the old generation has grown by that share of the
// room it had after the last major collection (soft: from a task; hard: at once), whatever the
// young generation's size; what a stream promotes (a few hundred KB a young collection) takes
// minutes to get there. At 80 % a worker after two streams made one major collection in 100 s; at
// 50 % it still made one every 4 to 8 s with no young collection in between. Set by the CLI for
// stream commands only, like hot-code.ts; a program that imports the library keeps its own V8
// settings.
import v8 from 'node:v8';

/** Share (%) of the old generation's room since its last major collection at which marking starts from a task. */
export const SOFT_TRIGGER = 80;
/** Share (%) at which it starts at once. */
export const HARD_TRIGGER = 95;

/** Has V8 start old-generation marking by how full the old generation is, not by the young generation's size. */
export function startMajorGcByOldGenerationGrowth(): void {
  v8.setFlagsFromString(`--incremental-marking-soft-trigger=${SOFT_TRIGGER}`);
  v8.setFlagsFromString(`--incremental-marking-hard-trigger=${HARD_TRIGGER}`);
}
