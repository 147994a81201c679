// The ffmpeg side of one stream: a Decoder for the input bytes, an Encoder for the output, publishTs in between.
import type { Logger } from '../logger.js';
import { Decoder } from '../media/decoder.js';
import { Encoder } from '../media/encoder.js';
import type { FfmpegLocation } from '../media/ffmpeg.js';
import type { AudioFrame, VideoFrame } from '../media/frames.js';
import type { PixelFormat } from '../media/pixel-format.js';
import { RestartBudget, type ChildRestart } from '../media/restart-budget.js';
import type { MediaSettings } from '../media/settings.js';
import type { Publisher } from '../trickle/publisher.js';
import { publishTs } from '../trickle/ts-publish.js';

export interface MediaStagesOptions {
  media: MediaSettings;
  ffmpeg?: FfmpegLocation;
  log: Logger;
  /** The pixel format the processor works in (what the decoder outputs; the encoder takes each frame's own). */
  pixelFormat?: PixelFormat;
  /** Kills both children (the hard end of a stop). */
  signal: AbortSignal;
  /** A child died and was replaced (at most 3 times in 120 s; past that the stream fails). */
  onRestart?(restart: ChildRestart): void;
}

/**
 * Owns the decoder and the encoder. Both start at once, so every ffmpeg's start-up overlaps the
 * wait for input; the encoder drops its audio stream when the input's program map has none.
 */
export class MediaStages {
  private readonly decoder: Decoder;
  private readonly encoder: Encoder;
  /** One budget for the stream's four children. */
  private readonly budget: RestartBudget;
  private programSeen = false;
  private ended = false;
  audioDropped = 0;

  constructor(private readonly opts: MediaStagesOptions) {
    const { media, ffmpeg, log, signal } = opts;
    this.budget = new RestartBudget({ log, onRestart: opts.onRestart });
    this.decoder = new Decoder({ ...media, pixelFormat: opts.pixelFormat, ffmpeg, log, signal, restarts: this.budget });
    this.encoder = new Encoder({ ...media, audio: {}, ffmpeg, log, signal, restarts: this.budget });
  }

  /** Applies the settings a running stream can change (the table's live fields). */
  update(changes: Partial<MediaSettings>): void {
    if ('maxFramerate' in changes) this.decoder.maxFramerate = changes.maxFramerate;
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

  async writeInput(chunk: Uint8Array): Promise<void> {
    await this.decoder.write(chunk);
    if (!this.programSeen && this.decoder.program) {
      this.programSeen = true;
      if (!this.decoder.hasAudio) this.encoder.withoutAudio();
    }
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
