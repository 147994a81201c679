// The ffmpeg side of one stream: a Decoder for the input bytes, an Encoder for the output, publishTs in between.
import type { Logger } from '../logger.js';
import { copiedAudioCodecs, type CopiedAudioPacket } from '../media/audio-copy.js';
import { Decoder } from '../media/decoder.js';
import { Encoder } from '../media/encoder.js';
import type { FfmpegLocation } from '../media/ffmpeg.js';
import type { AudioFrame, VideoFrame } from '../media/frames.js';
import type { PixelFormat } from '../media/pixel-format.js';
import { RestartBudget, type ChildRestart } from '../media/restart-budget.js';
import type { MediaSettings } from '../media/settings.js';
import type { TsProgram } from '../media/ts/demuxer.js';
import type { EsCodec } from '../media/ts/stream-types.js';
import { videoTranscoderArgs } from '../media/transcoder-args.js';
import type { Publisher } from '../trickle/publisher.js';
import { publishTs } from '../trickle/ts-publish.js';

export interface MediaStagesOptions {
  media: MediaSettings;
  ffmpeg?: FfmpegLocation;
  log: Logger;
  /** The processor has an audio() hook (then audio is copied only under media.audioMode passthrough). */
  audioHook: boolean;
  /** One input audio packet went to the output as it came (audio passthrough). */
  onAudioCopied?(): void;
  /** The pixel format the processor works in (what the decoder outputs; the encoder takes each frame's own). */
  pixelFormat?: PixelFormat;
  /**
   * No hook reads the video: it is decoded and encoded again in one ffmpeg child, and frames()
   * carries none, until leaveDirect() or a framerate cap turns it into frames.
   */
  transcode?: boolean;
  /** A video frame was transcoded (its packet is muxed next). */
  onTranscoded?(pts: number): void;
  /** Kills both children (the hard end of a stop). */
  signal: AbortSignal;
  /** A child died and was replaced (at most 3 times in 120 s; past that the stream fails). */
  onRestart?(restart: ChildRestart): void;
}

/**
 * Owns the decoder and the encoder. Both start at once, so every ffmpeg's start-up overlaps the
 * wait for input; the encoder drops its audio stream when the input's program map has none, and
 * its video stream when it has no video. Audio the settings let through unprocessed (audio-copy.ts)
 * goes from the decoder's demuxer straight to the encoder's muxer, which holds it for the video.
 */
export class MediaStages {
  private readonly decoder: Decoder;
  private readonly encoder: Encoder;
  /** One budget for the stream's four children. */
  private readonly budget: RestartBudget;
  private programSeen = false;
  private ended = false;
  /** Input audio codecs passed through rather than re-encoded. */
  private readonly copiedCodecs: EsCodec[];
  /** The output copies the input's audio stream. */
  private copying = false;
  audioDropped = 0;

  constructor(private readonly opts: MediaStagesOptions) {
    const { media, ffmpeg, log, signal } = opts;
    this.budget = new RestartBudget({ log, onRestart: opts.onRestart });
    const codecs = (this.copiedCodecs = copiedAudioCodecs(media, opts.audioHook));
    this.decoder = new Decoder({
      ...media,
      pixelFormat: opts.pixelFormat,
      ffmpeg,
      log,
      signal,
      restarts: this.budget,
      copyAudio: { codecs, packet: (p) => this.copyAudio(p) },
      onProgram: (p) => this.program(p),
      transcode: opts.transcode
        ? {
            args: (size) => videoTranscoderArgs(media, size),
            header: (extradata) => this.encoder.videoHeader(extradata),
            packet: (p) => {
              opts.onTranscoded?.(p.pts);
              return this.encoder.videoPacket(p);
            },
          }
        : undefined,
    });
    if (opts.transcode) log.info('no hook reads the video: it is transcoded in one ffmpeg child');
    this.encoder = new Encoder({ ...media, audio: {}, audioCopied: codecs.length > 0, videoTranscoded: opts.transcode, ffmpeg, log, signal, restarts: this.budget });
  }

  /**
   * The first program map says which streams the output has, and whether its audio is copied
   * (decided before any output: the input's first audio PES may come after its first frames).
   */
  private program(program: TsProgram): void {
    if (this.programSeen) return;
    this.programSeen = true;
    const audio = program.audio;
    if (!audio) this.encoder.withoutAudio();
    if (!program.video) this.encoder.withoutVideo();
    if (audio && this.copiedCodecs.includes(audio.codec)) {
      this.copying = this.encoder.copyAudio(audio);
      if (this.copying) this.opts.log.info('input audio passed through, not re-encoded', { codec: audio.codec });
    }
  }

  private async copyAudio(p: CopiedAudioPacket): Promise<void> {
    // Audio that changed to a copied codec after the output's audio stream was set: it has nowhere to go.
    if (!this.copying) {
      this.audioDropped++;
      return;
    }
    this.opts.onAudioCopied?.();
    await this.encoder.writeAudioPacket(p);
  }

  /** Applies the settings a running stream can change (the table's live fields). */
  update(changes: Partial<MediaSettings>): void {
    if ('maxFramerate' in changes) this.decoder.maxFramerate = changes.maxFramerate;
  }

  /** True while video is transcoded in one child (frames() carries no video). */
  get transcoding(): boolean {
    return this.decoder.transcoding;
  }

  /** The size of the video going out, once known. */
  get videoSize(): { width: number; height: number } | undefined {
    return this.decoder.videoSize;
  }

  /** Video frames up to this pts, after leaveDirect(), are ones already out, decoded again (the last is the picture to repeat). */
  get replayUntil(): number | undefined {
    return this.decoder.replayUntil;
  }

  /** The frames decoded again are all through. */
  replayDone(): void {
    this.decoder.replayDone();
  }

  /** Video as frames from now on (an input stall needs the last picture). */
  leaveDirect(): void {
    this.decoder.leaveDirect();
  }

  /** Children that died and were replaced. */
  get restarts(): number {
    return this.budget.restarts;
  }

  /** Video frames the decoder left out after a restart (until the input's next keyframe). */
  get lost(): number {
    return this.decoder.droppedByRestart;
  }

  /** Video frames the framerate cap left out. */
  get skipped(): number {
    return this.decoder.droppedByFramerate;
  }

  writeInput(chunk: Uint8Array): Promise<void> {
    return this.decoder.write(chunk);
  }

  endInput(): void {
    this.decoder.endInput();
  }

  frames(): AsyncIterable<VideoFrame | AudioFrame> {
    return this.decoder.frames();
  }

  writeVideo(frame: VideoFrame): Promise<void> {
    return this.encoder.writeVideo(frame);
  }

  /** A decoded frame's bytes may be reused (it was encoded or dropped, and no hook holds it any more). */
  release(frame: VideoFrame): void {
    this.decoder.release(frame);
  }

  async writeAudio(frame: AudioFrame): Promise<void> {
    // An input that gained audio after the output started video-only: that audio has no stream.
    if (this.encoder.audioless) {
      this.audioDropped++;
      return;
    }
    await this.encoder.writeAudio(frame);
  }

  /** No more frames: the encoder flushes and its output ends. */
  async endOutput(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    // A failing end() also fails output(), which is where publish() reports it.
    await this.encoder.end().catch(() => undefined);
  }

  /** Streams the encoder's MPEG-TS into `publisher`, one segment per GOP; resolves at the end of the output. */
  async publish(publisher: Publisher): Promise<void> {
    await publishTs(this.encoder.output(), publisher, { log: this.opts.log });
  }

  /** Kills whatever is still running; idempotent, bounded by the children's own close(). */
  async close(): Promise<void> {
    await Promise.all([this.decoder.close(), this.encoder.close()]);
  }
}
