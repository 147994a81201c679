// Built-in `passthrough`: hands every frame on untouched (the baseline for benchmarks and tests).
import { defineProcessor } from '../src/processor/types.js';

export default defineProcessor({
  name: 'passthrough',
  description: 'passes video and audio through unchanged',
});
