// Decoder: MPEG-TS bytes in (ffmpeg child) → VideoFrame (RGB24) / AudioFrame (f32) out, exact 90 kHz pts.
//
// ffmpeg arguments and why:
//   -flags low_delay                     no decoder reordering delay beyond the stream's own
//   -probesize 500000 -analyzeduration 200000 -fpsprobesize 0
//                                        probing stops as soon as every stream has its parameters (no fps
//                                        probing); tiny probes lose the audio stream. NOT -fflags nobuffer:
//                                        it discards the packets read while probing (lost first frames).
//   -threads 1 (decoder)                 frame threading would hold frames back (one frame per thread)
//   -copyts                              keep the input's timestamps (no start-time shift)
//   -c:v rawvideo -pix_fmt rgb24         the pixels our frames carry; optional scale+centre-crop to --width/--height
//   -enc_time_base:v 1:90000             rawvideo's default 1/framerate time base would round VFR pts
//   -fps_mode passthrough                never duplicate or drop frames: one output frame per decoded frame
//   -c:a pcm_f32le -ar 48000             interleaved float audio, channel count kept
//   -f nut -flush_packets 1              NUT carries per-frame pts (VFR-exact) and interleaves A/V; flushed per packet
//   -max_interleave_delta 500000         a stalled audio stream may hold video back by at most 0.5 s
import { TrickleError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { FfmpegLocation } from './ffmpeg.js';
import { FfmpegChild } from './ffmpeg-child.js';
import { TIME_BASE_90K, type AudioFrame, type TimeBase, type VideoFrame } from './frames.js';
import { FramerateLimiter } from './framerate-limiter.js';
import { NutDemuxer, type NutPacket } from './nut/demuxer.js';
import type { NutStream } from './nut/headers.js';

export interface DecoderOptions {
  ffmpeg?: FfmpegLocation;
  /** Scale (aspect kept, centre-cropped) to this size; both or neither. */
  width?: number;
  height?: number;
  /** Drop frames so the long-run rate stays at or below this (PTS-based). */
  maxFramerate?: number;
  /** Decode audio too (default true). */
  audio?: boolean;
  log?: Logger;
  signal?: AbortSignal;
}

/** The ffmpeg arguments the Decoder runs (exported for the benchmark baseline). */
export function decoderArgs(opts: Pick<DecoderOptions, 'width' | 'height' | 'audio'> = {}): string[] {
  const args = ['-loglevel', 'warning', '-flags', 'low_delay', '-probesize', '500000', '-analyzeduration', '200000', '-fpsprobesize', '0'];
  args.push('-threads', '1', '-f', 'mpegts', '-i', 'pipe:0', '-copyts', '-map', '0:v:0?');
  if (opts.audio !== false) args.push('-map', '0:a:0?');
  if (opts.width && opts.height) {
    const { width: w, height: h } = opts;
    args.push('-vf', `scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${w}:${h}`);
  }
  args.push('-c:v', 'rawvideo', '-pix_fmt', 'rgb24', '-enc_time_base:v', '1:90000', '-fps_mode', 'passthrough');
  if (opts.audio !== false) args.push('-c:a', 'pcm_f32le', '-ar', '48000');
  args.push('-max_interleave_delta', '500000', '-flush_packets', '1', '-f', 'nut', 'pipe:1');
  return args;
}

/** pts in `tb` → 90 kHz (exact when 90000·num is a multiple of den, rounded otherwise). */
export function to90k(pts: number, tb: TimeBase): number {
  if (tb.num === 1 && tb.den === 90_000) return pts;
  const scaled = pts * 90_000 * tb.num;
  return scaled % tb.den === 0 ? scaled / tb.den : Math.round(scaled / tb.den);
}

/** What the decoder's output holds, known before the first frame (from ffmpeg's stream headers). */
export interface DecodedStreams {
  video?: { width: number; height: number };
  audio?: { sampleRate: number; channels: number };
}

/** Decodes a stream of MPEG-TS bytes into frames through one ffmpeg child. */
export class Decoder {
  /**
   * Resolves once ffmpeg has announced its output streams (while frames() is being iterated),
   * so an encoder can be set up with the audio format before the first frame; resolves
   * undefined if ffmpeg ends without any.
   */
  readonly streams: Promise<DecodedStreams | undefined>;
  private announce!: (s: DecodedStreams | undefined) => void;
  private readonly child: FfmpegChild;
  private readonly limiter: FramerateLimiter;
  private readonly log: Logger;
  private iterating = false;
  /** Video frames dropped by the framerate cap so far. */
  droppedByFramerate = 0;

  constructor(private readonly opts: DecoderOptions = {}) {
    if (!opts.width !== !opts.height) throw new TrickleError('TRICKLE_USAGE', 'decoder width and height go together');
    this.log = opts.log ?? silentLogger;
    this.limiter = new FramerateLimiter(opts.maxFramerate);
    this.child = new FfmpegChild(decoderArgs(opts), { ffmpeg: opts.ffmpeg, log: this.log, signal: opts.signal, name: 'decoder' });
    this.streams = new Promise((resolve) => (this.announce = resolve));
  }

  /** Changes the framerate cap live (undefined or 0 removes it). */
  set maxFramerate(fps: number | undefined) {
    this.limiter.maxFramerate = fps;
  }

  get maxFramerate(): number | undefined {
    return this.limiter.maxFramerate;
  }

  /** Feeds MPEG-TS bytes; resolves when ffmpeg can take more; rejects once ffmpeg is gone. */
  write(chunk: Uint8Array): Promise<void> {
    return this.child.write(chunk);
  }

  /** No more input: ffmpeg drains, frames() ends after the last frame. */
  endInput(): void {
    this.child.endInput();
  }

  /** The decoded frames in stream order; ends with a TrickleError if ffmpeg fails. Iterate once. */
  async *frames(): AsyncGenerator<VideoFrame | AudioFrame> {
    if (this.iterating) throw new TrickleError('TRICKLE_INTERNAL', 'Decoder.frames() can be iterated only once');
    this.iterating = true;
    const demux = new NutDemuxer();
    let produced = 0;
    let announced = false;
    try {
      for await (const chunk of this.child.stdout) {
        let packets: NutPacket[];
        try {
          packets = demux.push(chunk as Uint8Array);
        } catch (err) {
          throw new TrickleError('TRICKLE_BAD_MEDIA', `decoder output unreadable: ${(err as Error).message}`, { cause: err });
        }
        if (!announced && demux.ready) {
          announced = true;
          this.announce(describe(demux.streams));
        }
        for (const p of packets) {
          const frame = this.toFrame(p, demux.streams[p.stream]);
          if (!frame) continue;
          produced++;
          yield frame;
        }
      }
    } catch (err) {
      this.announce(undefined);
      if (this.child.stoppedByUs) return;
      // Our own verdict on ffmpeg's output: stop the child (nobody reads it any more) and report.
      if (err instanceof TrickleError) {
        await this.child.close();
        throw err;
      }
      // A stream error: ffmpeg's exit status says more, if it comes within a moment.
      const exit = await Promise.race([this.child.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 2000).unref())]);
      const failure = exit && this.child.failure(exit, produced ? 'TRICKLE_FFMPEG_EXIT' : 'TRICKLE_BAD_MEDIA');
      await this.child.close();
      throw failure ?? new TrickleError('TRICKLE_FFMPEG_EXIT', `reading ffmpeg decoder output failed: ${(err as Error).message}`, { cause: err });
    }
    this.announce(undefined);
    const exit = await this.child.exited;
    const failure = this.child.failure(exit, produced ? 'TRICKLE_FFMPEG_EXIT' : 'TRICKLE_BAD_MEDIA');
    if (failure) throw failure;
  }

  private toFrame(p: NutPacket, stream: NutStream): VideoFrame | AudioFrame | undefined {
    const pts = to90k(p.pts, stream.timeBase);
    if (stream.kind === 'video') {
      const { width, height } = videoSize(p, stream);
      if (!this.limiter.accept(pts)) {
        this.droppedByFramerate++;
        return undefined;
      }
      return { data: p.data, width, height, pts, timeBase: TIME_BASE_90K };
    }
    if (stream.kind === 'audio') {
      const d = p.data;
      const data = d.byteOffset % 4 === 0 ? new Float32Array(d.buffer, d.byteOffset, d.length >> 2) : new Float32Array(new Uint8Array(d).buffer);
      return { data, sampleRate: stream.sampleRate ?? 48_000, channels: stream.channels ?? 1, pts, timeBase: TIME_BASE_90K };
    }
    return undefined;
  }

  /** Kills ffmpeg (within ~2 s) and ends frames(); idempotent. */
  close(): Promise<void> {
    return this.child.close();
  }
}

/** The first video and audio stream of the NUT headers, as frame facts. */
function describe(streams: NutStream[]): DecodedStreams {
  const out: DecodedStreams = {};
  const v = streams.find((s) => s.kind === 'video');
  const a = streams.find((s) => s.kind === 'audio');
  if (v?.width && v.height) out.video = { width: v.width, height: v.height };
  if (a?.sampleRate && a.channels) out.audio = { sampleRate: a.sampleRate, channels: a.channels };
  return out;
}

/** The real size of a video packet: side data if any, else the stream header (checked against the byte count). */
function videoSize(p: NutPacket, stream: NutStream): { width: number; height: number } {
  const width = p.width ?? stream.width ?? 0;
  const height = p.height ?? stream.height ?? 0;
  if (width * height * 3 !== p.data.length) {
    throw new TrickleError('TRICKLE_BAD_MEDIA', `decoded frame holds ${p.data.length} bytes, expected ${width}x${height}x3`);
  }
  return { width, height };
}
