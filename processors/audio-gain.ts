// Built-in `audio-gain`: multiplies every audio sample by `gain` (video passes through).
import { defineProcessor } from '../src/processor/types.js';

export default defineProcessor({
  name: 'audio-gain',
  description: 'scales audio samples by gain',
  params: { gain: 0.8 },
  // Video goes through untouched, so it stays in the decoder's own pixels.
  format: 'yuv420p',
  audio(frame, ctx) {
    const g = Number(ctx.params.gain);
    const d = frame.data;
    for (let i = 0; i < d.length; i++) d[i] *= g;
  },
});
