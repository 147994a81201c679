// The media settings a benchmark runs with (BENCH_MEDIA, JSON), for the pipeline and its ffmpeg baseline alike.
import { resolveFfmpeg } from '../../src/media/ffmpeg.js';
import { mediaSettings } from '../../src/media/settings-check.js';
import { mediaFields, type MediaSettings } from '../../src/media/settings.js';
import { chooseVideoEncoder } from '../../src/media/video-encoder.js';

export interface BenchMedia {
  /** Checked, with the video encoder resolved as prepareStream resolves it. */
  media: MediaSettings;
  /** The same settings as `trickle process` flags (only those BENCH_MEDIA set). */
  flags: string[];
  /** One line saying what they are, for the report. */
  label: string;
}

/** Reads BENCH_MEDIA (e.g. '{"preset":"veryfast","crf":28}'); unset means the product's defaults. */
export async function benchMedia(env: NodeJS.ProcessEnv = process.env): Promise<BenchMedia> {
  const raw = JSON.parse(env.BENCH_MEDIA ?? '{}') as Partial<Record<keyof MediaSettings, unknown>>;
  const media = await chooseVideoEncoder(mediaSettings(raw), resolveFfmpeg());
  const flags = mediaFields().flatMap(([name, f]) => (raw[name] !== undefined && f.flag ? [f.flag, String(media[name])] : []));
  const { videoEncoder, preset, crf, bitrate, audioCodec } = media;
  const label = `${videoEncoder} ${preset}${crf !== undefined ? ` crf ${crf}` : ''}${bitrate !== undefined ? ` ${bitrate / 1000}k` : ''}, audio ${audioCodec ?? 'as the input (aac when re-encoded)'}`;
  return { media, flags, label };
}
