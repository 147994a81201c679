// Built-in `passthrough`: hands every frame on untouched (the baseline for benchmarks and tests).
import { defineProcessor } from '../src/processor/types.js';

export default defineProcessor({
  name: 'passthrough',
  description: 'passes video and audio through unchanged',
  // The decoder's own pixels go to the encoder as they are: no colour conversion either side.
  format: 'yuv420p',
});
