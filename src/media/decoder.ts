// Decoder: MPEG-TS bytes in → VideoFrame (rgb24 or the pixel format asked for) / AudioFrame (f32) out, exact 90 kHz pts.
//
// The transport stream is read here (TsDemuxer), not by ffmpeg: ffmpeg's MPEG-TS reader and its
// H.264 parser hold each video frame until the next one arrives (two frame intervals). Each PES
// goes to its kind's decoder track (decoder-track.ts) the moment it is complete; frames come back
// through one small queue, video in pooled buffers the caller hands back with release().
import { TrickleError } from '../errors.js';
import type { CopiedAudioPacket } from './audio-copy.js';
import { rateLimited, silentLogger, type Logger } from '../logger.js';
import { BoundedQueue } from './bounded-queue.js';
import { DecoderTrack, type TrackKind, type TranscodeHost } from './decoder-track.js';
import type { FfmpegLocation } from './ffmpeg.js';
import type { AudioFrame, VideoFrame } from './frames.js';
import { FramePool } from './frame-pool.js';
import { FramerateLimiter } from './framerate-limiter.js';
import type { PixelFormat } from './pixel-format.js';
import type { NutStream } from './nut/headers.js';
import { describeStreams, type DecodedStreams } from './nut-frames.js';
import { RestartBudget } from './restart-budget.js';
import { TsDemuxer, type TsDemuxEvent, type TsProgram } from './ts/demuxer.js';
import { NUT_VIDEO_FOURCC, type EsCodec } from './ts/stream-types.js';
import { mediaSettings } from './settings-check.js';
import type { MediaSettings } from './settings.js';

export { decoderArgs } from './decoder-args.js';
export { to90k, type DecodedStreams } from './nut-frames.js';

/**
 * The stream's media settings (the decoder scales to width/height, aspect kept and centre-cropped,
 * or else treats input size changes as `resize` says, and drops frames by pts so the long-run rate
 * stays at or below maxFramerate) and its own.
 */
export interface DecoderOptions extends Partial<MediaSettings> {
  ffmpeg?: FfmpegLocation;
  /** The pixel format of decoded video (default rgb24). */
  pixelFormat?: PixelFormat;
  /** Decode audio too (default true). */
  audio?: boolean;
  /**
   * Audio of these codecs is not decoded: each PES goes to `packet` as it came (resolving
   * when there is room for more). The audio ffmpeg starts only for audio of another codec.
   */
  copyAudio?: { codecs: readonly EsCodec[]; packet(p: CopiedAudioPacket): Promise<void> };
  /** Each program map the input announces, before any PES that follows it. */
  onProgram?(program: TsProgram): void;
  /**
   * Video is transcoded in one ffmpeg child (no frames come out of frames()) until leaveDirect()
   * or a framerate cap: the child's arguments and where its packets go.
   */
  transcode?: TranscodeHost;
  /** Decoded video over a unix socket read in place (default: everywhere but Windows), else over stdout. */
  videoOverSocket?: boolean;
  /** How often its children may die and be replaced: the stream's budget, shared with its encoder (default: its own, 3 in 120 s). */
  restarts?: RestartBudget;
  log?: Logger;
  signal?: AbortSignal;
}

/** Input without a single program in it by then is not MPEG-TS. */
const NO_PROGRAM_LIMIT = 1 << 20;
/** Decoded frames held for a reader that is not iterating yet (then ffmpeg is held back). */
const QUEUE_FRAMES = 4;

type Frame = VideoFrame | AudioFrame;

/** Decodes a stream of MPEG-TS bytes into frames through ffmpeg children (one track per stream kind). */
export class Decoder {
  /**
   * Resolves once the output streams are known (the video one, and the audio one when the input
   * has audio), so an encoder can be set up before the first frame; resolves with what is known
   * (or undefined) if decoding ends first.
   */
  readonly streams: Promise<DecodedStreams | undefined>;
  private announce!: (s: DecodedStreams | undefined) => void;
  private readonly demuxer = new TsDemuxer();
  private readonly video: DecoderTrack;
  private audio?: DecoderTrack;
  private readonly makeAudioTrack?: () => DecoderTrack;
  private readonly copyAudio?: DecoderOptions['copyAudio'];
  private readonly onProgram?: DecoderOptions['onProgram'];
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
  /** Video frames left out after a child was replaced (until the input's next keyframe). */
  droppedByRestart = 0;

  constructor(opts: DecoderOptions = {}) {
    const media = mediaSettings(opts);
    this.log = opts.log ?? silentLogger;
    this.warn = rateLimited(this.log, 5000);
    this.limiter = new FramerateLimiter(media.maxFramerate);
    this.streams = new Promise((resolve) => (this.announce = resolve));
    const restarts = opts.restarts ?? new RestartBudget({ log: this.log });
    const host = (kind: TrackKind) => ({
      ffmpeg: opts.ffmpeg,
      size: { width: media.width, height: media.height },
      resize: media.resize === 'follow' ? ('follow' as const) : ('first' as const),
      format: opts.pixelFormat ?? 'rgb24',
      socket: opts.videoOverSocket ?? process.platform !== 'win32',
      log: this.log,
      signal: opts.signal,
      alloc: (size: number) => this.pool.take(size),
      frame: kind === 'video' ? (f: Frame) => this.videoFrame(f as VideoFrame) : (f: Frame) => this.queue.push(f),
      announced: () => this.announceIfKnown(),
      fail: (err: Error) => void this.fail(err),
      restarts,
      dropped: () => void this.droppedByRestart++,
      transcode: kind === 'video' ? opts.transcode : undefined,
    });
    this.video = new DecoderTrack('video', host('video'));
    this.onProgram = opts.onProgram;
    if (opts.audio !== false) {
      this.makeAudioTrack = () => (this.audio ??= new DecoderTrack('audio', host('audio')));
      this.copyAudio = opts.copyAudio?.codecs.length ? opts.copyAudio : undefined;
      // Started ahead (its ffmpeg start-up overlapping the wait for input) unless audio is likely copied.
      if (!this.copyAudio) this.makeAudioTrack();
    }
    opts.signal?.addEventListener('abort', () => void this.close(), { once: true });
  }

  /** Video ffmpeg children started so far (1 + replacements: pts rewinds, stream changes, children that died). */
  get restarts(): number {
    return this.video.started;
  }

  /** The input's program (streams) once its PAT and PMT were read. */
  get program(): TsProgram | undefined {
    return this.demuxer.program;
  }

  /** True when the input has an audio stream that is being decoded or copied. */
  get hasAudio(): boolean {
    return this.makeAudioTrack !== undefined && this.demuxer.program?.audio !== undefined;
  }

  /**
   * The caller is done with this frame's bytes (encoded, dropped): they may hold a later frame.
   * Optional: frames never released are simply garbage-collected.
   */
  release(frame: VideoFrame): void {
    this.pool.give(frame.data);
  }

  /** Changes the framerate cap live (undefined or 0 removes it); a transcoded stream turns to frames for it at its next keyframe. */
  set maxFramerate(fps: number | undefined) {
    this.limiter.maxFramerate = fps;
    if (fps) this.video.leaveDirectAtKeyframe();
  }

  /** True while video is transcoded in one child (frames() carries no video). */
  get transcoding(): boolean {
    return this.video.transcoding;
  }

  /** The size of the video coming out (decoded or transcoded), once a child said it. */
  get videoSize(): { width: number; height: number } | undefined {
    const out = this.video.output;
    return out?.kind === 'video' && out.width && out.height ? { width: out.width, height: out.height } : undefined;
  }

  /** Video frames up to this pts are decoded again after leaveDirect() (see DecoderTrack.replayUntil). */
  get replayUntil(): number | undefined {
    return this.video.replayUntil;
  }

  /** The frames decoded again are all through: later ones with such pts are new (a rewound input). */
  replayDone(): void {
    this.video.replayUntil = undefined;
  }

  /** Video as frames from now on, the frames since the last keyframe decoded again (after any input already written). */
  leaveDirect(): void {
    if (!this.video.transcoding) return;
    const done = this.writing.then(() => this.video.leaveDirect());
    this.writing = done.catch((err: unknown) => void this.fail(err as Error));
  }

  get maxFramerate(): number | undefined {
    return this.limiter.maxFramerate;
  }

  private videoFrame(frame: VideoFrame): Promise<void> {
    if (this.limiter.accept(frame.pts)) return this.queue.push(frame);
    this.droppedByFramerate++;
    this.pool.give(frame.data);
    return Promise.resolve();
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

  private async handle(events: TsDemuxEvent[]): Promise<void> {
    for (const e of events) {
      if (this.failure) throw this.failure;
      // Streams are taken from each PES, so a new map applies from its first packet on.
      if (e.type === 'program') {
        this.onProgram?.(e.program);
        if (!e.program.audio) this.audio?.dropSpare();
        continue;
      }
      const { pes } = e;
      if (pes.stream.kind === 'video') {
        if (NUT_VIDEO_FOURCC[pes.stream.codec]) {
          if (pes.damaged) this.warn('warn', 'video-damaged', 'input video packets missing (continuity gap); the frame may show errors');
          await this.video.feed(pes);
        } else this.warn('warn', 'video-codec', `input video codec ${pes.stream.codec} (stream type 0x${pes.stream.streamType.toString(16)}) is not supported, video skipped`);
      } else if (pes.stream.kind === 'audio' && this.makeAudioTrack) {
        if (pes.pts === undefined) this.warn('warn', 'audio-no-pts', 'input audio PES without pts dropped');
        else if (this.copyAudio?.codecs.includes(pes.stream.codec)) await this.copyAudio.packet({ stream: pes.stream, streamId: pes.streamId, pts: pes.pts, dts: pes.dts, data: pes.data });
        else await this.makeAudioTrack().feed(pes);
      }
    }
    if (!this.demuxer.program && this.inputBytes > NO_PROGRAM_LIMIT) {
      throw this.fail(new TrickleError('TRICKLE_BAD_MEDIA', `no MPEG-TS program found in the first ${this.inputBytes} bytes of input`));
    }
  }

  /** True when the input's current audio stream is copied rather than decoded. */
  private get copiesAudio(): boolean {
    const audio = this.demuxer.program?.audio;
    return audio !== undefined && this.copyAudio?.codecs.includes(audio.codec) === true;
  }

  private tracks(): DecoderTrack[] {
    return this.audio ? [this.video, this.audio] : [this.video];
  }

  private announceIfKnown(): void {
    // Copied audio has no decoded stream to wait for.
    if (this.video.output && (this.audio?.output || !this.hasAudio || this.copiesAudio)) this.announceNow();
  }

  private announceNow(): void {
    this.announce(describeStreams([this.video.output, this.audio?.output].filter((s): s is NutStream => s !== undefined)));
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
      for (const track of this.tracks()) track.endInput();
      try {
        await Promise.all(this.tracks().map((t) => t.pumped));
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
    for (const track of this.tracks()) track.stop();
    return err;
  }

  /** Kills ffmpeg (within ~2 s) and ends frames(); idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.announceNow();
    this.queue.abort();
    await Promise.all(this.tracks().map((t) => t.close()));
  }
}
