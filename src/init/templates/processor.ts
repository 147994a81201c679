// index.js of a plain `trickle init` package: a per-pixel "warm" filter showing every hook.

/** The processor module: ES module, no build step, typed through JSDoc and `// @ts-check`. */
export function processorModule(name: string): string {
  return `// @ts-check
// ${name}: a trickle processor that warms the picture. Red is scaled by (1 + warmth), blue by
// (1 - warmth), green stays. Frames arrive as packed RGB24 bytes; see README.md for the hooks.
import { defineProcessor } from 'trickcli';

/**
 * The new value of every possible red and blue byte for one warmth: a table lookup per byte is
 * cheaper than arithmetic on every pixel.
 * @param {number} warmth
 */
function warmTables(warmth) {
  const red = new Uint8Array(256);
  const blue = new Uint8Array(256);
  for (let v = 0; v < 256; v++) {
    red[v] = Math.max(0, Math.min(255, Math.round(v * (1 + warmth))));
    blue[v] = Math.max(0, Math.min(255, Math.round(v * (1 - warmth))));
  }
  return { red, blue };
}

/** @typedef {ReturnType<typeof warmTables>} WarmTables */

export default defineProcessor({
  name: '${name}',
  description: 'warms the picture: red up, blue down by warmth',
  // Declared params with their defaults. --param warmth=0.5 arrives as a number because 0.2 is one.
  params: { warmth: 0.2 },
  // The pixel format frames arrive in: rgb24 (the default), rgba, yuv420p (Y, U, V planes, 1.5
  // bytes a pixel) or gray (luma only). A format the picture is already in at both ends spares
  // ffmpeg a colour conversion each way; warming needs R and B, so rgb24.
  format: 'rgb24',

  // Once per process, before any stream: load models and other slow things here. Frames pass
  // through untouched until it returns.
  async load(ctx) {
    ctx.log.info('${name} ready', { device: ctx.device });
  },

  // Once per stream, with that stream's params; ctx.state lives as long as the stream.
  start(params, ctx) {
    ctx.state.tables = warmTables(params.warmth);
  },

  // Every video frame: frame.data is width*height*3 bytes (R,G,B, row by row), frame.pts its time.
  // Changing frame.data in place and returning nothing sends the changed frame on; returning a
  // new frame (any size) replaces it. A throw passes the input on and reports an error event.
  video(frame, ctx) {
    const { red, blue } = /** @type {WarmTables} */ (ctx.state.tables);
    const d = frame.data;
    for (let i = 0; i < d.length; i += 3) {
      d[i] = red[d[i]];
      d[i + 2] = blue[d[i + 2]];
    }
  },

  // audio(frame, ctx) would get Float32Array interleaved samples; without it audio passes through.

  // A live change (control channel, POST /stream/params): only the changed keys; ctx.params has all.
  update(changed, ctx) {
    if (changed.warmth !== undefined) ctx.state.tables = warmTables(Number(ctx.params.warmth));
  },

  // The stream ended.
  stop(ctx) {
    ctx.log.info('${name}: stream ended');
  },
});
`;
}
