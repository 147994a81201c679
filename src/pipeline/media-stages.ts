// The ffmpeg side of one stream: a Decoder for the input bytes, an Encoder for the output, publishTs in between.
import type { Logger } from '../logger.js';
import { Decoder } from '../media/decoder.js';
import { Encoder } from '../media/encoder.js';
import type { FfmpegLocation } from '../media/ffmpeg.js';
import type { AudioFrame, VideoFrame } from '../media/frames.js';
import type { Publisher } from '../trickle/publisher.js';
import { publishTs } from '../trickle/ts-publish.js';

export interface MediaStagesOptions {
  ffmpeg?: FfmpegLocation;
  width?: number;
  height?: number;
  maxFramerate?: number;
  gop: number;
  preset?: string;
  log: Logger;
  /** Kills both children (the hard end of a stop). */
  signal: AbortSignal;
}

/**
 * Owns the decoder and the encoder. The encoder starts as soon as the input's program map is
 * known (its ffmpeg start-up then overlaps the decoder's), with an audio stream when the input
 * has one; the audio encoder itself starts at the first audio frame, with its channel count.
 */
export class MediaStages {
  private readonly decoder: Decoder;
  private encoder?: Encoder;
  private encoderReady!: (e: Encoder | undefined) => void;
  private readonly encoderStarted = new Promise<Encoder | undefined>((r) => (this.encoderReady = r));
  private ended = false;
  audioDropped = 0;

  constructor(private readonly opts: MediaStagesOptions) {
    this.decoder = new Decoder({
      ffmpeg: opts.ffmpeg,
      width: opts.width,
      height: opts.height,
      maxFramerate: opts.maxFramerate,
      log: opts.log,
      signal: opts.signal,
    });
  }

  set maxFramerate(fps: number | undefined) {
    this.decoder.maxFramerate = fps;
  }

  /** Encoder restarts after output size changes. */
  get restarts(): number {
    return Math.max(0, (this.encoder?.restarts ?? 0) - 1);
  }

  /** Video frames the framerate cap left out. */
  get skipped(): number {
    return this.decoder.droppedByFramerate;
  }

  async writeInput(chunk: Uint8Array): Promise<void> {
    await this.decoder.write(chunk);
    if (!this.encoder && this.decoder.program) this.startEncoder();
  }

  endInput(): void {
    this.decoder.endInput();
  }

  frames(): AsyncIterable<VideoFrame | AudioFrame> {
    return this.decoder.frames();
  }

  private startEncoder(): Encoder {
    const encoder = new Encoder({
      ffmpeg: this.opts.ffmpeg,
      gop: this.opts.gop,
      preset: this.opts.preset,
      audio: this.decoder.hasAudio ? {} : null,
      log: this.opts.log,
      signal: this.opts.signal,
    });
    this.encoder = encoder;
    this.encoderReady(encoder);
    return encoder;
  }

  async writeVideo(frame: VideoFrame): Promise<void> {
    await (this.encoder ?? this.startEncoder()).writeVideo(frame);
  }

  async writeAudio(frame: AudioFrame): Promise<void> {
    const encoder = this.encoder ?? this.startEncoder();
    // An input that gained audio after the output started video-only: that audio has no stream.
    if (encoder.audioless) {
      this.audioDropped++;
      return;
    }
    await encoder.writeAudio(frame);
  }

  /** No more frames: the encoder flushes and its output ends. */
  async endOutput(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    // A failing end() also fails output(), which is where publish() reports it.
    if (this.encoder) await this.encoder.end().catch(() => undefined);
    else this.encoderReady(undefined);
  }

  /** Streams the encoder's MPEG-TS into `publisher`, one segment per GOP; resolves at the end of the output. */
  async publish(publisher: Publisher): Promise<void> {
    const encoder = await this.encoderStarted;
    if (!encoder) return;
    await publishTs(encoder.output(), publisher, { log: this.opts.log });
  }

  /** Kills whatever is still running; idempotent, bounded by the children's own close(). */
  async close(): Promise<void> {
    await Promise.all([this.decoder.close(), this.encoder?.close()]);
  }
}
