// Built-in `passthrough`: hands every frame on untouched (the baseline for benchmarks and tests).
import { defineProcessor } from '../src/processor/types.js';

export default defineProcessor({
  name: 'passthrough',
  description: 'passes video and audio through unchanged',
  // No video() hook: the video is transcoded in one ffmpeg child. Where frames are decoded after all (a
  // framerate cap, an input stall's picture) they stay in the decoder's own pixels: no colour conversion.
  format: 'yuv420p',
});
