// Decoder: MPEG-TS bytes in (ffmpeg child) → VideoFrame (RGB24) / AudioFrame (f32) out, exact 90 kHz pts.
//
// ffmpeg arguments and why:
//   -flags low_delay                     no decoder reordering delay beyond the stream's own
//   -probesize 500000 -analyzeduration 200000 -fpsprobesize 0
//                                        probing stops as soon as every stream has its parameters (no fps
//                                        probing); tiny probes lose the audio stream. NOT -fflags nobuffer:
//                                        it discards the packets read while probing (lost first frames).
//   -threads 1 (decoder)                 frame threading would hold frames back (one frame per thread)
//   -threads 1 (output)                  the rawvideo encoder is frame-threaded too: on 2+ cores it handed
//                                        each frame out one frame late (33 ms at 30 fps)
//   -copyts                              keep the input's timestamps (no start-time shift)
//   -c:v rawvideo -pix_fmt rgb24         the pixels our frames carry; optional scale+centre-crop to --width/--height
//   -enc_time_base:v 1:90000             rawvideo's default 1/framerate time base would round VFR pts
//   -fps_mode passthrough                never duplicate or drop frames: one output frame per decoded frame
//   -c:a pcm_f32le -ar 48000             interleaved float audio, channel count kept
//   -f nut -flush_packets 1              NUT carries per-frame pts (VFR-exact); flushed per packet
//   video → pipe:1, audio → pipe:3       separate outputs: in one muxer each video frame waited in the
//                                        interleaving queue for the next audio packet or video frame (one
//                                        frame, more with sparse audio PES: ~60 ms at 30 fps). pipe:3 also
//                                        carries a stream copy of the video (free) so it is never empty.
//   -max_interleave_delta 1              what still shares a muxer (pipe:3) is never held for interleaving
// An input resolution change mid-stream: ffmpeg scales later frames to the first size (its
// rawvideo encoder is fixed at the first size), so every frame's width/height stay real.
// When the input's video pts jump back by seconds at a segment start (a restarted publisher),
// ffmpeg (with -copyts) would rewrite them to last+1; the decoder instead starts a fresh ffmpeg
// at that segment's PAT, so every frame keeps its real pts. frames() continues across children.
import { TrickleError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { FfmpegLocation } from './ffmpeg.js';
import { FfmpegChild } from './ffmpeg-child.js';
import type { AudioFrame, VideoFrame } from './frames.js';
import { FramerateLimiter } from './framerate-limiter.js';
import { mergeStreams, type MergeSource } from './merge-streams.js';
import { NutDemuxer, type NutPacket } from './nut/demuxer.js';
import { audioFrame, describeStreams, videoFrame, type DecodedStreams } from './nut-frames.js';
import { TsRewindDetector } from './ts-rewind.js';

export { to90k, type DecodedStreams } from './nut-frames.js';

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

/**
 * The ffmpeg arguments the Decoder runs (exported for the benchmark baseline). With
 * `separateAudio` (the Decoder's way) video goes to pipe:1 and audio to pipe:3 (beside a
 * stream copy of the video, so that output never lacks a stream); otherwise both share pipe:1.
 */
export function decoderArgs(opts: Pick<DecoderOptions, 'width' | 'height' | 'audio'> = {}, separateAudio = false): string[] {
  const args = ['-loglevel', 'warning', '-flags', 'low_delay', '-probesize', '500000', '-analyzeduration', '200000', '-fpsprobesize', '0'];
  const audio = opts.audio !== false;
  const nut = ['-max_interleave_delta', '1', '-flush_packets', '1', '-f', 'nut'];
  args.push('-threads', '1', '-f', 'mpegts', '-i', 'pipe:0', '-copyts', '-threads', '1', '-map', '0:v:0?');
  if (audio && !separateAudio) args.push('-map', '0:a:0?');
  if (opts.width && opts.height) {
    const { width: w, height: h } = opts;
    args.push('-vf', `scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${w}:${h}`);
  }
  args.push('-c:v', 'rawvideo', '-pix_fmt', 'rgb24', '-enc_time_base:v', '1:90000', '-fps_mode', 'passthrough');
  if (!audio) return [...args, ...nut, 'pipe:1'];
  if (!separateAudio) return [...args, '-c:a', 'pcm_f32le', '-ar', '48000', ...nut, 'pipe:1'];
  args.push(...nut, 'pipe:1');
  args.push('-map', '0:a:0?', '-map', '0:v:0?', '-c:a', 'pcm_f32le', '-ar', '48000', '-c:v', 'copy', ...nut, 'pipe:3');
  return args;
}

/** Input kept for replay into a fresh child after a rewind (the PAT is usually a chunk back at most). */
const REPLAY_BYTES = 1 << 20;

/** Decodes a stream of MPEG-TS bytes into frames through an ffmpeg child (a new one after a pts rewind). */
export class Decoder {
  /**
   * Resolves once ffmpeg has announced its output streams (while frames() is being iterated),
   * so an encoder can be set up with the audio format before the first frame; resolves
   * undefined if ffmpeg ends without any.
   */
  readonly streams: Promise<DecodedStreams | undefined>;
  private announce!: (s: DecodedStreams | undefined) => void;
  private readonly children: FfmpegChild[] = [];
  private readonly limiter: FramerateLimiter;
  private readonly log: Logger;
  private readonly rewind = new TsRewindDetector();
  private recent: { at: number; bytes: Uint8Array }[] = [];
  private recentBytes = 0;
  private inputBytes = 0;
  private iterating = false;
  /** Video frames dropped by the framerate cap so far. */
  droppedByFramerate = 0;

  constructor(private readonly opts: DecoderOptions = {}) {
    if (!opts.width !== !opts.height) throw new TrickleError('TRICKLE_USAGE', 'decoder width and height go together');
    this.log = opts.log ?? silentLogger;
    this.limiter = new FramerateLimiter(opts.maxFramerate);
    this.spawn();
    this.streams = new Promise((resolve) => (this.announce = resolve));
  }

  /** ffmpeg children started so far (1 + restarts after pts rewinds). */
  get restarts(): number {
    return this.children.length;
  }

  private spawn(): FfmpegChild {
    const audio = this.opts.audio !== false;
    const child = new FfmpegChild(decoderArgs(this.opts, true), { ffmpeg: this.opts.ffmpeg, log: this.log, signal: this.opts.signal, name: 'decoder', fd3: audio });
    this.children.push(child);
    return child;
  }

  private get current(): FfmpegChild {
    return this.children[this.children.length - 1];
  }

  /** Changes the framerate cap live (undefined or 0 removes it). */
  set maxFramerate(fps: number | undefined) {
    this.limiter.maxFramerate = fps;
  }

  get maxFramerate(): number | undefined {
    return this.limiter.maxFramerate;
  }

  /** Feeds MPEG-TS bytes; resolves when ffmpeg can take more; rejects once ffmpeg is gone. */
  async write(chunk: Uint8Array): Promise<void> {
    const start = this.inputBytes;
    this.inputBytes += chunk.length;
    const rewindAt = this.rewind.push(chunk);
    const replay = rewindAt === undefined ? undefined : this.replayFrom(rewindAt, start);
    this.remember(chunk, start);
    if (!replay) return this.current.write(chunk);
    const old = this.current;
    const cut = Math.max(0, rewindAt! - start);
    if (cut > 0) await old.write(chunk.subarray(0, cut));
    this.log.info('input pts went backwards, restarting the decoder at the segment start', { offset: rewindAt });
    const fresh = this.spawn();
    old.endInput();
    for (const piece of replay) await fresh.write(piece);
    await fresh.write(chunk.subarray(cut));
  }

  /** Copies of the input since `from` up to `to` (absolute offsets), or undefined when no longer held. */
  private replayFrom(from: number, to: number): Uint8Array[] | undefined {
    if (from >= to) return [];
    const out: Uint8Array[] = [];
    for (const r of this.recent) {
      const end = r.at + r.bytes.length;
      if (end <= from) continue;
      out.push(r.bytes.subarray(Math.max(0, from - r.at)));
    }
    const held = this.recent[0]?.at ?? to;
    return held <= from ? out : undefined;
  }

  private remember(chunk: Uint8Array, at: number): void {
    this.recent.push({ at, bytes: new Uint8Array(chunk) }); // a copy: callers may reuse their buffers
    this.recentBytes += chunk.length;
    while (this.recent.length > 1 && this.recentBytes - this.recent[0].bytes.length >= REPLAY_BYTES) this.recentBytes -= this.recent.shift()!.bytes.length;
  }

  /** No more input: ffmpeg drains, frames() ends after the last frame. */
  endInput(): void {
    this.current.endInput();
  }

  /** The decoded frames in stream order; ends with a TrickleError if ffmpeg fails. Iterate once. */
  async *frames(): AsyncGenerator<VideoFrame | AudioFrame> {
    if (this.iterating) throw new TrickleError('TRICKLE_INTERNAL', 'Decoder.frames() can be iterated only once');
    this.iterating = true;
    const count = { produced: 0 };
    try {
      for (let i = 0; i < this.children.length; i++) {
        if (!(yield* this.drain(this.children[i], count))) return;
      }
    } finally {
      this.announce(undefined);
    }
  }

  /** Frames of one child; false when it was stopped by close()/abort (nothing more to read). */
  private async *drain(child: FfmpegChild, count: { produced: number }): AsyncGenerator<VideoFrame | AudioFrame, boolean> {
    // Source 0: video (pipe:1); source 1: audio beside a copy of the video (pipe:3), when decoded.
    const sources = child.fd3 ? [child.stdout, child.fd3] : [child.stdout];
    const demuxers = sources.map(() => new NutDemuxer());
    let announced = false;
    try {
      for await (const { source, chunk } of mergeStreams(sources as MergeSource[])) {
        const demux = demuxers[source];
        let packets: NutPacket[];
        try {
          packets = demux.push(chunk);
        } catch (err) {
          throw new TrickleError('TRICKLE_BAD_MEDIA', `decoder output unreadable: ${(err as Error).message}`, { cause: err });
        }
        if (!announced && demuxers.every((d) => d.ready)) {
          announced = true;
          this.announce(describeStreams(demuxers.flatMap((d, i) => d.streams.filter((s) => s.kind === (i === 0 ? 'video' : 'audio')))));
        }
        for (const p of packets) {
          const stream = demux.streams[p.stream];
          if (stream.kind === 'video' && source === 0) {
            const frame = videoFrame(p, stream);
            if (!this.limiter.accept(frame.pts)) {
              this.droppedByFramerate++;
              continue;
            }
            count.produced++;
            yield frame;
          } else if (stream.kind === 'audio') {
            count.produced++;
            yield audioFrame(p, stream);
          }
        }
      }
    } catch (err) {
      if (child.stoppedByUs) return false;
      // Our own verdict on ffmpeg's output: stop the child (nobody reads it any more) and report.
      if (err instanceof TrickleError) {
        await child.close();
        throw err;
      }
      // A stream error: ffmpeg's exit status says more, if it comes within a moment.
      const exit = await Promise.race([child.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 2000).unref())]);
      const failure = exit && child.failure(exit, count.produced ? 'TRICKLE_FFMPEG_EXIT' : 'TRICKLE_BAD_MEDIA');
      await child.close();
      throw failure ?? new TrickleError('TRICKLE_FFMPEG_EXIT', `reading ffmpeg decoder output failed: ${(err as Error).message}`, { cause: err });
    }
    const exit = await child.exited;
    if (child.stoppedByUs) return false;
    const failure = child.failure(exit, count.produced ? 'TRICKLE_FFMPEG_EXIT' : 'TRICKLE_BAD_MEDIA');
    if (failure) throw failure;
    return true;
  }

  /** Kills ffmpeg (within ~2 s) and ends frames(); idempotent. */
  async close(): Promise<void> {
    this.announce(undefined);
    await Promise.all(this.children.map((c) => c.close()));
  }
}
