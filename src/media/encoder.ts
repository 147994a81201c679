// Encoder: VideoFrame/AudioFrame in (NUT into an ffmpeg child) → H.264/AAC MPEG-TS bytes out, pts kept.
//
// ffmpeg arguments and why:
//   -f nut -i pipe:0 -copyts               frames arrive with exact 90 kHz pts in NUT; nothing is shifted
//   -probesize 32 -analyzeduration 0 -fpsprobesize 0
//                                          the NUT header says everything; without these ffmpeg read ~20 frames
//                                          (fps probing, 1/90000 time base) before encoding the first one
//   -c:v libx264 -preset P -tune zerolatency -bf 0 -pix_fmt yuv420p
//                                          low-latency H.264 without B-frames (pts == dts), player-safe chroma
//   -force_key_frames expr:...             an IDR when ≥ gop seconds of FRAME time passed since the last forced
//                                          one (first frame included); relative to prev_forced_t, because with
//                                          -copyts t starts at the input's pts (n_forced*gop would fire on every
//                                          frame of a stream that starts at t=10000 s)
//   -forced-idr 1 -x264-params keyint=infinite:scenecut=0
//                                          only forced keyframes, all of them IDR: segment = GOP
//   -enc_time_base:v 1:90000 -fps_mode passthrough
//                                          no frame-rate guessing, no dup/drop, pts not rounded (VFR-exact)
//   -c:a aac|libopus -ar 48000             audio re-encoded, channel count kept
//   -vf pad=... (odd sizes only)           yuv420p needs even sizes
//   -muxdelay 0 -muxpreload 0              mpegts adds no offset: output pts == input pts
//   -max_interleave_delta 1                a video packet waits in the interleaving queue for at most the next
//                                          packet of any stream (500000 held video for sparse audio: ~70 ms more)
//   -flush_packets 1                       bytes leave as soon as each packet is muxed
// A frame whose size differs from the running child's restarts the child (NUT fixes the size
// per stream): the old one is drained first, output() continues with the new one's bytes.
import { TrickleError } from '../errors.js';
import { rateLimited, silentLogger, type Logger } from '../logger.js';
import { ChunkQueue } from './chunk-queue.js';
import type { FfmpegLocation } from './ffmpeg.js';
import { FfmpegChild } from './ffmpeg-child.js';
import type { AudioFrame, VideoFrame } from './frames.js';
import { NutMuxer, type NutMuxStream } from './nut/muxer.js';

export interface EncoderAudio {
  sampleRate: number;
  channels: number;
  codec?: 'aac' | 'opus';
}

export interface EncoderOptions {
  ffmpeg?: FfmpegLocation;
  /** Seconds of frame time between keyframes (default 2). */
  gop?: number;
  /** libx264 preset (default 'superfast'). */
  preset?: string;
  /** Audio stream to encode; null or omitted for video only. */
  audio?: EncoderAudio | null;
  log?: Logger;
  signal?: AbortSignal;
}

/** The ffmpeg arguments the Encoder runs (exported for the benchmark baseline). */
export function encoderArgs(opts: Pick<EncoderOptions, 'gop' | 'preset' | 'audio'> = {}, oddSize = false): string[] {
  const gop = opts.gop ?? 2;
  const args = ['-loglevel', 'warning', '-probesize', '32', '-analyzeduration', '0', '-fpsprobesize', '0', '-f', 'nut', '-i', 'pipe:0', '-copyts', '-map', '0:v:0'];
  if (opts.audio) args.push('-map', '0:a:0');
  // yuv420p needs even sizes: an odd width/height gets one black pixel row/column.
  if (oddSize) args.push('-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2');
  args.push('-c:v', 'libx264', '-preset', opts.preset ?? 'superfast', '-tune', 'zerolatency', '-bf', '0', '-pix_fmt', 'yuv420p');
  // A thousandth of a second of slack: 90 kHz pts turned into float seconds do not subtract exactly.
  args.push('-force_key_frames', `expr:if(isnan(prev_forced_t),1,gte(t-prev_forced_t,${gop - 0.001}))`);
  args.push('-forced-idr', '1', '-x264-params', 'keyint=infinite:scenecut=0');
  args.push('-enc_time_base:v', '1:90000', '-fps_mode', 'passthrough');
  if (opts.audio) {
    if (opts.audio.codec === 'opus') args.push('-c:a', 'libopus', '-b:a', '96k');
    else args.push('-c:a', 'aac', '-b:a', '128k');
    args.push('-ar', '48000', '-ac', String(opts.audio.channels));
  }
  args.push('-muxdelay', '0', '-muxpreload', '0', '-max_interleave_delta', '1', '-flush_packets', '1', '-f', 'mpegts', 'pipe:1');
  return args;
}

interface Running {
  child: FfmpegChild;
  muxer: NutMuxer;
  width: number;
  height: number;
  pumped: Promise<void>;
  lastVideoPts?: number;
  lastAudioPts?: number;
}

/** Encodes frames to MPEG-TS through one ffmpeg child at a time (restarted on size changes). */
export class Encoder {
  private readonly out = new ChunkQueue();
  private readonly log: Logger;
  private readonly warn: ReturnType<typeof rateLimited>;
  private current?: Running;
  /** A child started ahead of the first frame, so ffmpeg's start-up overlaps the decoder's. */
  private spare?: FfmpegChild;
  /** Audio that came before the first video frame (the NUT header needs the video size first). */
  private early: AudioFrame[] = [];
  private lastPump: Promise<void> = Promise.resolve();
  private ending?: Promise<void>;
  private closed = false;
  /** Children started so far (1 + size-change restarts). */
  restarts = 0;

  constructor(private readonly opts: EncoderOptions = {}) {
    if (opts.gop !== undefined && !(opts.gop > 0)) throw new TrickleError('TRICKLE_USAGE', `gop must be a positive number of seconds, got ${opts.gop}`);
    this.log = opts.log ?? silentLogger;
    this.warn = rateLimited(this.log, 5000);
    opts.signal?.addEventListener('abort', () => void this.close(), { once: true });
    this.spare = this.spawn();
  }

  private spawn(oddSize = false): FfmpegChild {
    return new FfmpegChild(encoderArgs(this.opts, oddSize), { ffmpeg: this.opts.ffmpeg, log: this.log, signal: this.opts.signal, name: 'encoder' });
  }

  /** Queues one video frame; resolves when ffmpeg can take more. */
  async writeVideo(frame: VideoFrame): Promise<void> {
    this.assertOpen();
    if (frame.data.length !== frame.width * frame.height * 3) {
      throw new TrickleError('TRICKLE_BAD_MEDIA', `video frame holds ${frame.data.length} bytes, expected ${frame.width}x${frame.height}x3`);
    }
    const run = this.current;
    if (run && (run.width !== frame.width || run.height !== frame.height)) {
      this.log.info('output size changed, restarting encoder', { from: `${run.width}x${run.height}`, to: `${frame.width}x${frame.height}` });
      await this.finishCurrent();
    } else if (run && run.lastVideoPts !== undefined && frame.pts <= run.lastVideoPts) {
      if (frame.pts === run.lastVideoPts) {
        this.warn('warn', 'same-pts', 'video frame with the same pts as the previous one dropped', { pts: frame.pts });
        return;
      }
      // ffmpeg would rewrite backwards timestamps to last+1; a fresh child keeps them as they are.
      this.log.info('video pts went backwards, restarting encoder', { from: run.lastVideoPts, to: frame.pts });
      await this.finishCurrent();
    }
    if (!this.current) {
      this.current = this.start(frame.width, frame.height);
      const early = this.early;
      this.early = [];
      for (const a of early) if (a.pts >= frame.pts - 2 * 90_000) await this.writeAudio(a);
    }
    await this.writeFrame(0, frame.pts, frame.data);
    this.current!.lastVideoPts = frame.pts;
  }

  /** Queues one block of audio (dropped when no audio stream was configured or its format differs). */
  async writeAudio(frame: AudioFrame): Promise<void> {
    this.assertOpen();
    const audio = this.opts.audio;
    if (!audio) return;
    if (frame.channels !== audio.channels || frame.sampleRate !== audio.sampleRate) {
      this.warn('warn', 'audio-format', 'audio frame format differs from the encoder stream, dropped', {
        got: `${frame.sampleRate}Hz/${frame.channels}ch`,
        want: `${audio.sampleRate}Hz/${audio.channels}ch`,
      });
      return;
    }
    if (!this.current) {
      this.early.push(frame);
      if (this.early.length > 100) this.early.shift();
      return;
    }
    const run = this.current;
    if (run.lastAudioPts !== undefined && frame.pts < run.lastAudioPts) {
      this.warn('warn', 'audio-backwards', 'audio frame older than the previous one dropped', { pts: frame.pts });
      return;
    }
    run.lastAudioPts = frame.pts;
    const d = frame.data;
    await this.writeFrame(1, frame.pts, new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }

  private async writeFrame(stream: number, pts: number, data: Uint8Array): Promise<void> {
    const run = this.current!;
    const p = Math.round(pts);
    if (p < 0) {
      this.warn('warn', 'negative-pts', 'frame with negative pts dropped (NUT cannot carry it)', { pts });
      return;
    }
    // Resolves once the OS has the bytes: the caller may then reuse `data` (processors do).
    await run.child.write([run.muxer.frameHeader(stream, p, data.length), data]);
  }

  private start(width: number, height: number): Running {
    const streams: NutMuxStream[] = [{ kind: 'video', width, height }];
    if (this.opts.audio) streams.push({ kind: 'audio', sampleRate: this.opts.audio.sampleRate, channels: this.opts.audio.channels });
    const muxer = new NutMuxer(streams);
    const odd = width % 2 === 1 || height % 2 === 1;
    if (odd) void this.spare?.close(); // started without the pad filter
    const child = (!odd && this.spare) || this.spawn(odd);
    this.spare = undefined;
    this.restarts++;
    const previous = this.lastPump;
    const pumped = previous.then(() => this.pump(child));
    this.lastPump = pumped;
    pumped.catch(() => {}); // reported through output() and the next write/end
    void child.write(muxer.header()).catch(() => {});
    return { child, muxer, width, height, pumped };
  }

  /** Copies one child's stdout into the shared output, then checks how it exited. */
  private async pump(child: FfmpegChild): Promise<void> {
    try {
      for await (const chunk of child.stdout) await this.out.push(chunk as Uint8Array);
    } catch (err) {
      if (!child.stoppedByUs) this.log.debug('encoder stdout error', { error: (err as Error).message });
    }
    const failure = child.failure(await child.exited);
    if (failure) {
      this.out.end(failure);
      throw failure;
    }
  }

  private async finishCurrent(): Promise<void> {
    const run = this.current;
    if (!run) return;
    this.current = undefined;
    run.child.endInput();
    await run.pumped;
  }

  /** No more frames: flushes ffmpeg; output() ends after the last bytes. */
  end(): Promise<void> {
    this.ending ??= (async () => {
      try {
        await this.finishCurrent();
        await this.spare?.close();
        this.out.end();
      } catch (err) {
        this.out.end(err);
        throw err;
      }
    })();
    return this.ending;
  }

  /** The MPEG-TS bytes as ffmpeg produces them, across restarts; throws if ffmpeg fails. Iterate once. */
  output(): AsyncIterable<Uint8Array> {
    return this.out;
  }

  private assertOpen(): void {
    if (this.closed || this.ending) throw new TrickleError('TRICKLE_INTERNAL', 'encoder already ended or closed');
  }

  /** Kills the running child (within ~2 s) and ends output(); idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const run = this.current;
    this.current = undefined;
    this.out.abort();
    await Promise.all([run?.child.close(), this.spare?.close()]);
  }
}
