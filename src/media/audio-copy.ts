// Audio passthrough: which input audio is copied into the output as it came, instead of being decoded and re-encoded.
//
// Copied audio never reaches a processor's audio() hook and costs no ffmpeg child. MPEG-TS
// carries AAC (ADTS) and Opus the same way in and out, so their PES payloads go to the output
// byte for byte with their timestamps; other codecs (MP2, AC-3, LATM …) are re-encoded as
// before. media.audioMode decides:
//   encode       always re-encode;
//   passthrough  copy AAC/Opus whatever the processor or --audio-codec/--audio-bitrate say;
//   auto         copy when the processor has no audio() hook, no --audio-bitrate was asked for,
//                and --audio-codec is unset or names the input's codec.
import type { MediaSettings } from './settings.js';
import type { ElementaryStream } from './ts/psi.js';
import type { EsCodec } from './ts/stream-types.js';

/** One input audio PES, copied: its payload as it came (ADTS frames, Opus with its control headers). */
export interface CopiedAudioPacket {
  stream: ElementaryStream;
  streamId: number;
  /** 90 kHz, the input's. */
  pts: number;
  dts?: number;
  data: Uint8Array;
}

const COPIED_CODECS: readonly EsCodec[] = ['aac', 'opus'];

/**
 * Which input audio codecs a stream copies under `media` (empty: every input audio is
 * re-encoded); `audioHook` says whether the processor has an audio() hook.
 */
export function copiedAudioCodecs(media: Pick<MediaSettings, 'audioMode' | 'audioCodec' | 'audioBitrate'>, audioHook: boolean): EsCodec[] {
  if (media.audioMode === 'encode') return [];
  if (media.audioMode === 'passthrough') return [...COPIED_CODECS];
  if (audioHook || media.audioBitrate !== undefined) return [];
  return COPIED_CODECS.filter((c) => media.audioCodec === undefined || media.audioCodec === c);
}
