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

/** How many video frames may pass without audio before the encoder starts video-only. */
const AUDIO_WAIT_FRAMES = 15;

/**
 * Owns the decoder and the encoder. The encoder needs the audio format up front, so it starts
 * at the first video frame once audio was seen (or after AUDIO_WAIT_FRAMES frames without).
 */
export class MediaStages {
  private readonly decoder: Decoder;
  private encoder?: Encoder;
  private readonly held: (VideoFrame | AudioFrame)[] = [];
  private audio?: { sampleRate: number; channels: number };
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

  writeInput(chunk: Uint8Array): Promise<void> {
    return this.decoder.write(chunk);
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
      audio: this.audio,
      log: this.opts.log,
      signal: this.opts.signal,
    });
    this.encoder = encoder;
    this.encoderReady(encoder);
    return encoder;
  }

  private async flushHeld(): Promise<void> {
    const encoder = this.encoder ?? this.startEncoder();
    for (const f of this.held.splice(0)) {
      if ((f as VideoFrame).width !== undefined) await encoder.writeVideo(f as VideoFrame);
      else await encoder.writeAudio(f as AudioFrame);
    }
  }

  async writeVideo(frame: VideoFrame): Promise<void> {
    if (this.encoder) return this.encoder.writeVideo(frame);
    this.held.push(frame);
    const videos = this.held.filter((f) => (f as VideoFrame).width !== undefined).length;
    if (this.audio || videos >= AUDIO_WAIT_FRAMES) await this.flushHeld();
  }

  async writeAudio(frame: AudioFrame): Promise<void> {
    if (this.encoder) {
      if (!this.audio) {
        this.audioDropped++; // the encoder started video-only: audio that shows up late has no stream
        return;
      }
      return this.encoder.writeAudio(frame);
    }
    this.audio ??= { sampleRate: frame.sampleRate, channels: frame.channels };
    this.held.push(frame);
    if (this.held.some((f) => (f as VideoFrame).width !== undefined)) await this.flushHeld();
  }

  /** No more frames: the encoder flushes and its output ends. */
  async endOutput(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    if (this.held.some((f) => (f as VideoFrame).width !== undefined)) await this.flushHeld().catch(() => undefined);
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
