// Decides whether the demo's output shows the processor's effect: its mean colour (measured by the probe) against the pattern's.
import { spawnFfmpeg, type FfmpegLocation } from '../media/ffmpeg.js';

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

export interface OutputCheck {
  decoded: boolean;
  frames: number;
  input: Rgb;
  output: Rgb;
  /** The processor's expected effect is visible (see `expectEffect`). */
  effect: boolean;
  effectDescription: string;
}

const W = 160;
const H = 90;

/** Mean RGB of the first `frames` frames ffmpeg decodes from `input` args (scaled small). */
async function meanRgb(ffmpeg: FfmpegLocation, input: string[], frames: number): Promise<{ mean: Rgb; frames: number }> {
  const child = spawnFfmpeg(
    ['-loglevel', 'error', ...input, '-map', '0:v:0', '-frames:v', String(frames), '-vf', `scale=${W}:${H}`, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    { ffmpeg, stdin: 'ignore' },
  );
  const parts: Buffer[] = [];
  for await (const c of child.stdout! as AsyncIterable<Buffer>) parts.push(c);
  await child;
  const buf = Buffer.concat(parts);
  const n = Math.floor(buf.length / (W * H * 3));
  let r = 0, g = 0, b = 0;
  for (let i = 0; i + 2 < n * W * H * 3; i += 3) {
    r += buf[i];
    g += buf[i + 1];
    b += buf[i + 2];
  }
  const px = Math.max(1, n * W * H);
  return { mean: { r: r / px, g: g / px, b: b / px }, frames: n };
}

/** What a processor should visibly do to the mean colour, or undefined when it only needs to change something. */
function expectEffect(processor: string, d: Rgb): { ok: boolean; text: string } {
  const diff = `ΔR ${d.r.toFixed(1)} ΔG ${d.g.toFixed(1)} ΔB ${d.b.toFixed(1)}`;
  if (processor === 'red-tint') return { ok: d.r > 15 && Math.abs(d.g) < 8 && Math.abs(d.b) < 8, text: `red tint (${diff})` };
  if (processor === 'blue-tint') return { ok: d.b > 15 && Math.abs(d.r) < 8 && Math.abs(d.g) < 8, text: `blue tint (${diff})` };
  if (processor === 'passthrough') return { ok: Math.abs(d.r) < 4 && Math.abs(d.g) < 4 && Math.abs(d.b) < 4, text: `unchanged (${diff})` };
  return { ok: true, text: `decoded (${diff})` };
}

/** Compares the output's mean colour (the probe's) with the same test pattern generated afresh. */
export async function checkDemoOutput(opts: { ffmpeg: FfmpegLocation; output: Rgb | null; frames: number; pattern: string; processor: string }): Promise<OutputCheck> {
  const ref = await meanRgb(opts.ffmpeg, ['-f', 'lavfi', '-i', opts.pattern], 60);
  const out = opts.output ?? { r: 0, g: 0, b: 0 };
  const d = { r: out.r - ref.mean.r, g: out.g - ref.mean.g, b: out.b - ref.mean.b };
  const effect = expectEffect(opts.processor, d);
  const decoded = opts.output !== null && opts.frames > 0;
  return { decoded, frames: opts.frames, input: ref.mean, output: out, effect: decoded && effect.ok, effectDescription: effect.text };
}
