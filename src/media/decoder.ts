// Decoder: MPEG-TS bytes in → VideoFrame (RGB24) / AudioFrame (f32) out, exact 90 kHz pts.
//
// The transport stream is read here (TsDemuxer), not by ffmpeg: ffmpeg's MPEG-TS reader and its
// H.264 parser hold each video frame until the next one arrives (two frame intervals). Instead:
//   video: each PES goes, the moment it is complete, as one NUT packet with its pts to a video
//          ffmpeg (-f nut; compressed video in NUT needs no parser);
//   audio: each PES is re-muxed into an audio-only MPEG-TS (PAT, PMT with the input's stream type
//          and descriptors, the PES with its length set) for an audio ffmpeg, which knows every
//          audio codec TS carries (AAC, Opus, MP2, AC-3 …) and has no video to wait for.
// Each kind has its own line of ffmpeg children: when that stream's pts jump back by seconds (a
// restarted publisher), the next PES goes to a fresh child (ffmpeg with -copyts would rewrite
// such pts to last+1); frames() hands out the old child's last frames first.
//
// ffmpeg arguments and why:
//   -probesize 32 -analyzeduration 0 -fpsprobesize 0
//                                        each input holds one stream whose first packet tells
//                                        ffmpeg all it needs; no waiting for more
//   -flags low_delay -threads 1 (input)  no decoder delay beyond the stream's own reordering
//   -copyts                              keep the input's timestamps (no start-time shift)
//   -threads 1 (output)                  the rawvideo encoder is frame-threaded: on 2+ cores it
//                                        handed each frame out one frame late (33 ms at 30 fps)
//   -c:v rawvideo -pix_fmt rgb24         the pixels our frames carry; optional scale+centre-crop
//   -enc_time_base:v 1:90000             rawvideo's default 1/framerate time base would round VFR pts
//   -fps_mode passthrough                one output frame per decoded frame, never duplicated or dropped
//   -c:a pcm_f32le -ar 48000             interleaved float audio, channel count kept
//   -f nut -flush_packets 1              NUT carries per-frame pts (VFR-exact); flushed per packet
// An input resolution change mid-stream: ffmpeg scales later frames to the first size (its
// rawvideo encoder is fixed at the first size), so every frame's width/height stay real.
import { TrickleError } from '../errors.js';
import { rateLimited, silentLogger, type Logger } from '../logger.js';
import { BoundedQueue } from './bounded-queue.js';
import type { FfmpegLocation } from './ffmpeg.js';
import { FfmpegChild } from './ffmpeg-child.js';
import type { AudioFrame, VideoFrame } from './frames.js';
import { FramePool } from './frame-pool.js';
import { FramerateLimiter } from './framerate-limiter.js';
import { NutDemuxer, NutFormatError, type NutPacket } from './nut/demuxer.js';
import { NutSocketReader, nutSocketPath } from './nut-socket.js';
import type { NutStream } from './nut/headers.js';
import { NutMuxer } from './nut/muxer.js';
import { audioFrame, describeStreams, videoFrame, type DecodedStreams } from './nut-frames.js';
import { TsDemuxer, type PesPacket, type TsProgram } from './ts/demuxer.js';
import { isKeyframe } from './ts/keyframes.js';
import { pesPackets, PTS_WRAP } from './ts/pes.js';
import { patPacket, pmtPacket, type ElementaryStream } from './ts/psi.js';
import { NUT_VIDEO_FOURCC } from './ts/stream-types.js';

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

const PROBE = ['-probesize', '32', '-analyzeduration', '0', '-fpsprobesize', '0'];
const NUT_OUT = ['-flush_packets', '1', '-f', 'nut', 'pipe:1'];

/**
 * The video ffmpeg's arguments: compressed video in NUT on stdin, rgb24 NUT out on a unix socket
 * it listens on (read in place, see nut-socket.ts), or on stdout.
 */
export function videoDecoderArgs(opts: Pick<DecoderOptions, 'width' | 'height'> = {}, socketPath?: string): string[] {
  const args = ['-loglevel', 'warning', ...PROBE, '-flags', 'low_delay', '-threads', '1', '-f', 'nut', '-i', 'pipe:0', '-copyts', '-threads', '1', '-map', '0:v:0'];
  if (opts.width && opts.height) {
    const { width: w, height: h } = opts;
    args.push('-vf', `scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${w}:${h}`);
  }
  args.push('-c:v', 'rawvideo', '-pix_fmt', 'rgb24', '-enc_time_base:v', '1:90000', '-fps_mode', 'passthrough');
  if (!socketPath) return [...args, ...NUT_OUT];
  // avioflags direct: each frame leaves in one write, not 32 KiB at a time.
  return [...args, '-flush_packets', '1', '-avioflags', 'direct', '-f', 'nut', '-listen', '1', `unix:${socketPath}`];
}

/** Unix sockets where ffmpeg has them (not on Windows). */
const SOCKET_OUTPUT = process.platform !== 'win32';

/** The audio ffmpeg's arguments: an audio-only MPEG-TS on stdin, f32 NUT on stdout. */
export function audioDecoderArgs(): string[] {
  return ['-loglevel', 'warning', ...PROBE, '-f', 'mpegts', '-i', 'pipe:0', '-copyts', '-map', '0:a:0', '-c:a', 'pcm_f32le', '-ar', '48000', ...NUT_OUT];
}

/**
 * The ffmpeg arguments of a single-process decode of MPEG-TS on stdin (video and audio in one
 * NUT on stdout): what a plain `ffmpeg | ffmpeg` pipe runs, for benchmark baselines.
 */
export function decoderArgs(opts: Pick<DecoderOptions, 'width' | 'height' | 'audio'> = {}): string[] {
  const args = ['-loglevel', 'warning', '-flags', 'low_delay', '-threads', '1', '-f', 'mpegts', '-i', 'pipe:0', '-copyts', '-threads', '1', '-map', '0:v:0?'];
  if (opts.audio !== false) args.push('-map', '0:a:0?');
  if (opts.width && opts.height) args.push('-vf', `scale=${opts.width}:${opts.height}:force_original_aspect_ratio=increase,crop=${opts.width}:${opts.height}`);
  args.push('-c:v', 'rawvideo', '-pix_fmt', 'rgb24', '-enc_time_base:v', '1:90000', '-fps_mode', 'passthrough');
  if (opts.audio !== false) args.push('-c:a', 'pcm_f32le', '-ar', '48000');
  return [...args, ...NUT_OUT];
}

/** pts moving back by more than this is a restarted source, not B-frame reordering. */
const REWIND_TICKS = 2 * 90_000;
/** Input without a single program in it by then is not MPEG-TS. */
const NO_PROGRAM_LIMIT = 1 << 20;
/** Decoded frames held for a reader that is not iterating yet (then ffmpeg is held back). */
const QUEUE_FRAMES = 4;
/** The size put in the video NUT header: the decoder takes the real one from the bitstream. */
const PLACEHOLDER_SIZE = 16;

type Frame = VideoFrame | AudioFrame;
type Kind = 'video' | 'audio';

/** One kind's ffmpeg children, one at a time, with what feeds the current one. */
interface Line {
  kind: Kind;
  /** A child started before its stream showed up, so ffmpeg's start-up overlaps the input's. */
  spare?: FfmpegChild;
  stream?: ElementaryStream;
  child?: FfmpegChild;
  /** Video: the NUT muxer of the current child. */
  nut?: NutMuxer;
  /** Audio: continuity counters of the TS we write. */
  cc: { pat: number; pmt: number; es: number };
  lastPts?: number;
  /** Every child's output read to its end, in order. */
  pumped: Promise<void>;
  started: number;
  /** The output stream the latest child announced. */
  output?: NutStream;
}

/** True when `pts` after `last` is a rewind rather than reordering or a 33-bit wrap. */
function isRewind(last: number, pts: number): boolean {
  if (pts >= last - REWIND_TICKS) return false;
  return !(last > PTS_WRAP - 600 * 90_000 && pts < 600 * 90_000);
}

/** Decodes a stream of MPEG-TS bytes into frames through ffmpeg children (one per stream kind). */
export class Decoder {
  /**
   * Resolves once the output streams are known (the video one, and the audio one when the input
   * has audio), so an encoder can be set up before the first frame; resolves with what is known
   * (or undefined) if decoding ends first.
   */
  readonly streams: Promise<DecodedStreams | undefined>;
  private announce!: (s: DecodedStreams | undefined) => void;
  private readonly demuxer = new TsDemuxer();
  private readonly lines: Record<Kind, Line>;
  /** Every child still running (a restarted line's old child drains on its own). */
  private readonly running = new Set<FfmpegChild>();
  /** Video children's socket outputs. */
  private readonly sockets = new WeakMap<FfmpegChild, NutSocketReader>();
  private readonly queue = new BoundedQueue<Frame>(QUEUE_FRAMES);
  private readonly limiter: FramerateLimiter;
  private readonly pool = new FramePool();
  private readonly log: Logger;
  private readonly warn: ReturnType<typeof rateLimited>;
  private inputBytes = 0;
  private writing: Promise<void> = Promise.resolve();
  private ending?: Promise<void>;
  private failure?: Error;
  private closed = false;
  private iterating = false;
  /** Video frames dropped by the framerate cap so far. */
  droppedByFramerate = 0;

  constructor(private readonly opts: DecoderOptions = {}) {
    if (!opts.width !== !opts.height) throw new TrickleError('TRICKLE_USAGE', 'decoder width and height go together');
    this.log = opts.log ?? silentLogger;
    this.warn = rateLimited(this.log, 5000);
    this.limiter = new FramerateLimiter(opts.maxFramerate);
    const line = (kind: Kind): Line => ({ kind, cc: { pat: 0, pmt: 0, es: 0 }, pumped: Promise.resolve(), started: 0 });
    this.lines = { video: line('video'), audio: line('audio') };
    this.lines.video.spare = this.spawn('video');
    if (opts.audio !== false) this.lines.audio.spare = this.spawn('audio');
    this.streams = new Promise((resolve) => (this.announce = resolve));
    opts.signal?.addEventListener('abort', () => void this.close(), { once: true });
  }

  /** Video ffmpeg children started so far (1 + restarts after pts rewinds or codec changes). */
  get restarts(): number {
    return this.lines.video.started;
  }

  /** The input's program (streams) once its PAT and PMT were read. */
  get program(): TsProgram | undefined {
    return this.demuxer.program;
  }

  /** True when the input has an audio stream that is being decoded. */
  get hasAudio(): boolean {
    return this.opts.audio !== false && this.demuxer.program?.audio !== undefined;
  }

  /**
   * The caller is done with this frame's bytes (encoded, dropped): they may hold a later frame.
   * Optional: frames never released are simply garbage-collected.
   */
  release(frame: VideoFrame): void {
    this.pool.give(frame.data);
  }

  /** Changes the framerate cap live (undefined or 0 removes it). */
  set maxFramerate(fps: number | undefined) {
    this.limiter.maxFramerate = fps;
  }

  get maxFramerate(): number | undefined {
    return this.limiter.maxFramerate;
  }

  /** Feeds MPEG-TS bytes; resolves when ffmpeg took what they completed; rejects once decoding failed. */
  write(chunk: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new TrickleError('TRICKLE_ABORTED', 'decoder closed'));
    if (this.ending) return Promise.reject(new TrickleError('TRICKLE_INTERNAL', 'decoder: write after endInput()'));
    this.inputBytes += chunk.length;
    // The demuxer copies what it keeps, so the caller may reuse `chunk` at once.
    const events = this.demuxer.push(chunk);
    const done = this.writing.then(() => this.handle(events));
    // A child that died under a write fails the decoder (its stderr is in the error).
    this.writing = done.catch((err: unknown) => void this.fail(err as Error));
    return done;
  }

  private async handle(events: ReturnType<TsDemuxer['push']>): Promise<void> {
    for (const e of events) {
      if (this.failure) throw this.failure;
      // Streams are taken from each PES, so a new map applies from its first packet on.
      if (e.type === 'program') {
        if (!e.program.audio) this.dropSpare(this.lines.audio);
        continue;
      }
      const kind = e.pes.stream.kind;
      if (kind === 'video') await this.writeVideo(e.pes);
      else if (kind === 'audio' && this.opts.audio !== false) await this.writeAudio(e.pes);
    }
    if (!this.demuxer.program && this.inputBytes > NO_PROGRAM_LIMIT) {
      throw this.fail(new TrickleError('TRICKLE_BAD_MEDIA', `no MPEG-TS program found in the first ${this.inputBytes} bytes of input`));
    }
  }

  /** The line's current child, or a fresh one when there is none, the stream changed or its pts rewound. */
  private childFor(line: Line, pes: PesPacket, pts: number): FfmpegChild {
    const changed = line.stream !== undefined && (line.stream.pid !== pes.stream.pid || line.stream.streamType !== pes.stream.streamType || !sameBytes(line.stream.descriptors, pes.stream.descriptors));
    const rewound = line.lastPts !== undefined && isRewind(line.lastPts, pts);
    if (line.child && (changed || rewound)) {
      this.log.info(rewound ? `input ${line.kind} pts went backwards, restarting its decoder` : `input ${line.kind} stream changed, restarting its decoder`, { from: line.lastPts, to: pts });
      line.child.endInput();
      line.child = undefined;
    }
    line.stream = pes.stream;
    line.lastPts = pts;
    return line.child ?? this.start(line, pes.stream);
  }

  private spawn(kind: Kind): FfmpegChild {
    const socketPath = kind === 'video' && SOCKET_OUTPUT ? nutSocketPath() : undefined;
    const args = kind === 'video' ? videoDecoderArgs(this.opts, socketPath) : audioDecoderArgs();
    const child = new FfmpegChild(args, { ffmpeg: this.opts.ffmpeg, log: this.log, signal: this.opts.signal, name: `${kind} decoder` });
    this.running.add(child);
    if (socketPath) this.sockets.set(child, new NutSocketReader(socketPath, new NutDemuxer((size) => this.pool.take(size)), child.exited));
    void child.exited.then(() => {
      this.running.delete(child);
      this.sockets.get(child)?.close();
    });
    return child;
  }

  /** A child's output as batches of NUT packets: from its socket, or parsed from stdout. */
  private async *packets(child: FfmpegChild, demux: NutDemuxer): AsyncGenerator<NutPacket[]> {
    const socket = this.sockets.get(child);
    if (socket) {
      yield* socket;
      return;
    }
    for await (const chunk of child.stdout) yield demux.push(chunk as Uint8Array);
  }

  /** Gives the line a child for `stream` (the spare when there is one) and starts reading its output. */
  private start(line: Line, stream: ElementaryStream): FfmpegChild {
    const child = line.spare ?? this.spawn(line.kind);
    line.spare = undefined;
    line.child = child;
    line.started++;
    if (line.kind === 'video') {
      line.nut = new NutMuxer([{ kind: 'video', width: PLACEHOLDER_SIZE, height: PLACEHOLDER_SIZE, fourcc: NUT_VIDEO_FOURCC[stream.codec] }]);
      void child.write(line.nut.header()).catch(() => undefined);
    } else {
      const pat = patPacket(AUDIO_PMT_PID, 1, line.cc.pat++);
      const pmt = pmtPacket(AUDIO_PMT_PID, { programNumber: 1, pcrPid: NO_PCR_PID, streams: [{ pid: stream.pid, streamType: stream.streamType, descriptors: stream.descriptors }] }, line.cc.pmt++);
      void child.write([pat, pmt]).catch(() => undefined);
    }
    const pumped = line.pumped.then(() => this.pump(line, child));
    line.pumped = pumped;
    pumped.catch((err: unknown) => this.fail(err as Error));
    return child;
  }

  /** Stops a spare nobody will use (the input has no such stream, or it ended). */
  private dropSpare(line: Line): void {
    void line.spare?.close();
    line.spare = undefined;
  }

  private async writeVideo(pes: PesPacket): Promise<void> {
    if (!NUT_VIDEO_FOURCC[pes.stream.codec]) {
      this.warn('warn', 'video-codec', `input video codec ${pes.stream.codec} (stream type 0x${pes.stream.streamType.toString(16)}) is not supported, video skipped`);
      return;
    }
    const line = this.lines.video;
    // A PES without pts (rare in practice) follows the previous one.
    const pts = pes.pts ?? pes.dts ?? (line.lastPts !== undefined ? line.lastPts + 1 : 0);
    if (pes.damaged) this.warn('warn', 'video-damaged', 'input video packets missing (continuity gap); the frame may show errors');
    const child = this.childFor(line, pes, pts);
    const key = pes.randomAccess || isKeyframe(pes.data, pes.stream.codec);
    await child.write([line.nut!.frameHeader(0, pts, pes.data.length, key), pes.data]);
  }

  private async writeAudio(pes: PesPacket): Promise<void> {
    const line = this.lines.audio;
    if (pes.pts === undefined) {
      this.warn('warn', 'audio-no-pts', 'input audio PES without pts dropped');
      return;
    }
    const child = this.childFor(line, pes, pes.pts);
    const { packets, cc } = pesPackets({ pid: pes.stream.pid, streamId: pes.streamId, pts: pes.pts, dts: pes.dts }, pes.data, line.cc.es);
    line.cc.es = cc;
    await child.write(packets);
  }

  /** Reads one child's frames into the queue, then checks how it ended. */
  private async pump(line: Line, child: FfmpegChild): Promise<void> {
    const demux = this.sockets.get(child)?.demuxer ?? (line.kind === 'video' ? new NutDemuxer((size) => this.pool.take(size)) : new NutDemuxer());
    let produced = 0;
    let announced = false;
    try {
      for await (const packets of this.packets(child, demux)) {
        if (!announced && demux.ready) {
          announced = true;
          line.output = demux.streams.find((s) => s.kind === line.kind);
          this.announceIfKnown();
        }
        for (const p of packets) {
          const stream = demux.streams[p.stream];
          if (stream.kind === 'video') {
            const frame = videoFrame(p, stream);
            if (!this.limiter.accept(frame.pts)) {
              this.droppedByFramerate++;
              this.pool.give(frame.data);
              continue;
            }
            produced++;
            await this.queue.push(frame);
          } else if (stream.kind === 'audio') {
            produced++;
            await this.queue.push(audioFrame(p, stream));
          }
        }
      }
    } catch (caught) {
      if (child.stoppedByUs || this.closed) return;
      const err = caught instanceof NutFormatError ? new TrickleError('TRICKLE_BAD_MEDIA', `${line.kind} decoder output unreadable: ${caught.message}`, { cause: caught }) : caught;
      if (err instanceof TrickleError) {
        await child.close();
        throw err;
      }
      // A stream error: ffmpeg's exit status says more, if it comes within a moment.
      const exit = await Promise.race([child.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 2000).unref())]);
      const failure = exit && child.failure(exit, produced ? 'TRICKLE_FFMPEG_EXIT' : 'TRICKLE_BAD_MEDIA');
      await child.close();
      throw failure ?? new TrickleError('TRICKLE_FFMPEG_EXIT', `reading ffmpeg ${line.kind} decoder output failed: ${(err as Error).message}`, { cause: err });
    }
    const exit = await child.exited;
    if (child.stoppedByUs || this.closed) return;
    const failure = child.failure(exit, produced ? 'TRICKLE_FFMPEG_EXIT' : 'TRICKLE_BAD_MEDIA');
    if (failure) throw failure;
  }

  private announceIfKnown(): void {
    const { video, audio } = this.lines;
    if (video.output && (audio.output || !this.hasAudio)) this.announceNow();
  }

  private announceNow(): void {
    this.announce(describeStreams([this.lines.video.output, this.lines.audio.output].filter((s): s is NutStream => s !== undefined)));
  }

  /** No more input: ffmpeg drains, frames() ends after the last frame. */
  endInput(): void {
    this.ending ??= (async () => {
      try {
        await this.writing;
        await this.handle(this.demuxer.end());
      } catch {
        /* reported through frames() */
      }
      for (const line of Object.values(this.lines)) {
        this.dropSpare(line);
        line.child?.endInput();
      }
      try {
        await Promise.all([this.lines.video.pumped, this.lines.audio.pumped]);
        if (this.inputBytes > 0 && !this.demuxer.program) throw this.fail(new TrickleError('TRICKLE_BAD_MEDIA', `no MPEG-TS program found in ${this.inputBytes} bytes of input`));
        this.queue.end();
      } catch {
        /* fail() ended the queue */
      }
    })();
  }

  /** The decoded frames in stream order per kind; ends with a TrickleError if decoding fails. Iterate once. */
  async *frames(): AsyncGenerator<Frame> {
    if (this.iterating) throw new TrickleError('TRICKLE_INTERNAL', 'Decoder.frames() can be iterated only once');
    this.iterating = true;
    try {
      yield* this.queue;
    } finally {
      this.announceNow();
    }
  }

  /** Records the first failure, stops every child and ends frames() with it; returns it. */
  private fail(err: Error): Error {
    if (this.failure || this.closed) return this.failure ?? err;
    this.failure = err;
    this.queue.end(err);
    for (const child of this.running) void child.close();
    return err;
  }

  /** Kills ffmpeg (within ~2 s) and ends frames(); idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.announceNow();
    this.queue.abort();
    await Promise.all([...this.running].map((c) => c.close()));
    await Promise.all(Object.values(this.lines).map((l) => l.pumped.catch(() => undefined)));
  }
}

/** The PMT PID of the audio-only TS we write for the audio ffmpeg (ffmpeg's default). */
const AUDIO_PMT_PID = 0x1000;
/** No PCR in that TS: ffmpeg times audio by its pts. */
const NO_PCR_PID = 0x1fff;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
