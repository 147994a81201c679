// Which H.264 encoder a stream's video gets: h264_nvenc only where a one-frame encode shows it works on this machine.
import { FieldError } from '../errors.js';
import { runFfmpegTool, type FfmpegLocation } from './ffmpeg.js';
import type { MediaSettings } from './settings.js';

export interface NvencProbe {
  /** This ffmpeg was built with h264_nvenc. */
  listed: boolean;
  /** A one-frame encode with it worked (listed is not usable: no GPU, no driver). */
  encodes: boolean;
  /** What ffmpeg said when it did not. */
  error?: string;
}

const probes = new Map<string, Promise<NvencProbe>>();

async function probe(ffmpeg: FfmpegLocation): Promise<NvencProbe> {
  const list = await runFfmpegTool(['-hide_banner', '-encoders'], { ffmpeg, timeoutMs: 10_000 });
  if (!/^\s*V\S*\s+h264_nvenc\s/m.test(list.stdout)) return { listed: false, encodes: false, error: 'this ffmpeg has no h264_nvenc encoder' };
  const r = await runFfmpegTool(
    ['-hide_banner', '-f', 'lavfi', '-i', 'color=size=256x256:duration=0.1', '-frames:v', '1', '-c:v', 'h264_nvenc', '-f', 'null', '-'],
    { ffmpeg, timeoutMs: 15_000 },
  );
  if (r.exitCode === 0) return { listed: true, encodes: true };
  // The encoder's own line says why ("Cannot load libcuda.so.1", "No capable devices found").
  const said = /\[h264_nvenc @ [^\]]*\]\s*(.+)/.exec(r.stderr)?.[1] ?? r.stderr.trim().split('\n').pop();
  return { listed: true, encodes: false, error: said?.trim() || `ffmpeg exited with ${r.exitCode}` };
}

/** Whether `ffmpeg` can encode with h264_nvenc here; probed once per binary (trickle doctor shows the same answer). */
export function probeNvenc(ffmpeg: FfmpegLocation): Promise<NvencProbe> {
  let p = probes.get(ffmpeg.path);
  if (!p) probes.set(ffmpeg.path, (p = probe(ffmpeg)));
  return p;
}

/**
 * The settings with `videoEncoder` resolved: `auto` becomes h264_nvenc where it encodes and
 * libx264 elsewhere; h264_nvenc that cannot encode is a TRICKLE_NOT_AVAILABLE error naming it.
 */
export async function chooseVideoEncoder(media: MediaSettings, ffmpeg: FfmpegLocation): Promise<MediaSettings> {
  if (media.videoEncoder === 'libx264') return media;
  const nvenc = await probeNvenc(ffmpeg);
  if (nvenc.encodes) return { ...media, videoEncoder: 'h264_nvenc' };
  if (media.videoEncoder === 'auto') return { ...media, videoEncoder: 'libx264' };
  throw new FieldError('TRICKLE_NOT_AVAILABLE', ['media.videoEncoder'], ([f]) => `${f} h264_nvenc cannot encode on this machine: ${nvenc.error}`, {
    hint: ([f]) => `use ${f} libx264, or auto to take NVENC only where it works (trickle doctor shows whether it does)`,
  });
}
