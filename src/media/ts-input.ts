// Turns any media file ffmpeg can read into an MPEG-TS byte stream (stream copy when the codecs fit in TS).
import { TrickleError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { resolveFfmpeg, resolveFfprobe, runFfmpegTool, spawnFfmpeg } from './ffmpeg.js';

export interface TsInputOptions {
  file: string;
  /** Pace reading at the file's real-time rate (-re). */
  re?: boolean;
  /** Repeat the file forever (-stream_loop -1). */
  loop?: boolean;
  ffmpegPath?: string;
  signal?: AbortSignal;
  log?: Logger;
}

export interface TsInput {
  /** The MPEG-TS bytes, as ffmpeg writes them. */
  stream: AsyncIterable<Uint8Array>;
  /** Resolves when ffmpeg exited cleanly; rejects with TRICKLE_FFMPEG_EXIT otherwise. */
  done: Promise<void>;
  /** Stops ffmpeg (idempotent). */
  close(): void;
}

const TS_VIDEO = new Set(['h264', 'hevc', 'mpeg2video', 'mpeg1video']);
const TS_AUDIO = new Set(['aac', 'mp3', 'mp2', 'ac3', 'eac3', 'opus']);

/** Codec names of the file's first video and audio streams (undefined when ffprobe cannot tell). */
async function probeCodecs(file: string, ffmpegPath?: string): Promise<{ video?: string; audio?: string } | undefined> {
  try {
    const ffprobe = resolveFfprobe(resolveFfmpeg({ ffmpegPath }));
    const r = await runFfmpegTool(['-v', 'error', '-show_entries', 'stream=codec_type,codec_name', '-of', 'json', file], {
      binary: ffprobe,
      timeoutMs: 15_000,
    });
    if (r.exitCode !== 0) return undefined;
    const streams = (JSON.parse(r.stdout) as { streams?: { codec_type?: string; codec_name?: string }[] }).streams ?? [];
    return {
      video: streams.find((s) => s.codec_type === 'video')?.codec_name,
      audio: streams.find((s) => s.codec_type === 'audio')?.codec_name,
    };
  } catch {
    return undefined;
  }
}

/** Why: `trickle publish -i FILE` remuxes (or, for codecs TS cannot carry, re-encodes) a file into MPEG-TS on a pipe. */
export async function openTsInput(opts: TsInputOptions): Promise<TsInput> {
  const log = opts.log ?? silentLogger;
  const ffmpeg = resolveFfmpeg({ ffmpegPath: opts.ffmpegPath });
  const codecs = await probeCodecs(opts.file, opts.ffmpegPath);
  const video = !codecs?.video || TS_VIDEO.has(codecs.video) ? ['-c:v', 'copy'] : ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-bf', '0', '-pix_fmt', 'yuv420p', '-g', '60'];
  const audio = !codecs?.audio || TS_AUDIO.has(codecs.audio) ? ['-c:a', 'copy'] : ['-c:a', 'aac', '-ar', '48000'];
  if (video[1] !== 'copy' || audio[1] !== 'copy') log.info('input codecs do not fit in MPEG-TS, re-encoding', { ...codecs });
  const args = [
    '-loglevel', 'error',
    ...(opts.re ? ['-re'] : []),
    ...(opts.loop ? ['-stream_loop', '-1'] : []),
    '-i', opts.file,
    '-map', '0:v:0?', '-map', '0:a:0?',
    ...video, ...audio,
    '-f', 'mpegts', 'pipe:1',
  ];
  const stop = new AbortController();
  const child = spawnFfmpeg(args, { ffmpeg, stdin: 'ignore', signal: opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal });
  let stderrTail = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderrTail = (stderrTail + b.toString('utf8')).slice(-2000);
  });
  const done = Promise.resolve(child).then((r) => {
    if (stop.signal.aborted || opts.signal?.aborted) return;
    if (r.exitCode !== 0) {
      throw new TrickleError('TRICKLE_FFMPEG_EXIT', `ffmpeg could not read ${opts.file} (exit ${r.exitCode ?? r.signal})`, {
        details: { stderr: stderrTail.trim().split('\n').slice(-3).join(' | ') },
      });
    }
  });
  done.catch(() => {});
  return {
    stream: child.stdout as AsyncIterable<Uint8Array>,
    done,
    close: () => stop.abort(),
  };
}
