// Encoder: VideoFrame/AudioFrame in (NUT into an ffmpeg child) → H.264/AAC MPEG-TS bytes out, pts kept.
//
// ffmpeg encodes; the MPEG-TS is written here (TsMuxer): ffmpeg's own TS muxer held every video
// packet until the next packet of another stream came (~33 ms at 30 fps). Video and audio are
// separate children with NUT outputs, so neither waits for the other anywhere, and the audio one
// starts at the first audio frame with its channel count (video never waits to learn it).
// Arguments: encoder-args.ts.
//
// A frame whose size differs from the running child's restarts the child (NUT fixes the size
// per stream): the old one is drained first, output() continues with the new one's bytes.
import { TrickleError } from '../errors.js';
import { rateLimited, silentLogger, type Logger } from '../logger.js';
import { BoundedQueue } from './bounded-queue.js';
import type { FfmpegLocation } from './ffmpeg.js';
import { FfmpegChild } from './ffmpeg-child.js';
import type { AudioFrame, VideoFrame } from './frames.js';
import { NutDemuxer, NutFormatError } from './nut/demuxer.js';
import { NutMuxer } from './nut/muxer.js';
import { to90k } from './nut-frames.js';
import { TsMuxer } from './ts/muxer.js';
import { AUDIO_OFFSET_SECONDS, audioEncoderArgs, videoEncoderArgs } from './encoder-args.js';

export { encoderArgsTs } from './encoder-args.js';

export interface EncoderAudio {
  /** Of the frames to come (default 48000; the output is 48 kHz). */
  sampleRate?: number;
  /** Of the frames to come; by default the first audio frame's count. Frames with another count are dropped. */
  channels?: number;
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

/** One ffmpeg child of a line (video or audio) and the NUT muxer feeding it. */
interface Run {
  child: FfmpegChild;
  nut: NutMuxer;
  pumped: Promise<void>;
  lastPts?: number;
}

interface VideoRun extends Run {
  width: number;
  height: number;
}

interface AudioRun extends Run {
  channels: number;
}

/** Audio going back by more than this (90 kHz) is a restarted source, not an overlap to drop. */
const AUDIO_REWIND_TICKS = 90_000;

/** Audio muxed before the first video keyframe is held for it, up to this many packets (~4 s of AAC). */
const MAX_AUDIO_BEFORE_VIDEO = 200;

/**
 * Encodes frames to MPEG-TS through two ffmpeg children, one for video and one for audio (each
 * restarted when its input changes in a way NUT cannot carry), muxed into one TS here.
 */
export class Encoder {
  private readonly out = new BoundedQueue<Uint8Array>(1 << 20, (c) => c.length);
  private readonly log: Logger;
  private readonly warn: ReturnType<typeof rateLimited>;
  /** One muxer for both lines: continuity counters run on through restarts. */
  private readonly ts: TsMuxer;
  private video?: VideoRun;
  private audio?: AudioRun;
  /** Children started ahead of the first frames, so ffmpeg's start-up overlaps the decoder's. */
  private spare?: FfmpegChild;
  private spareAudio?: FfmpegChild;
  /** Every child's output muxed to its end, in order, per line. */
  private videoPumped: Promise<void> = Promise.resolve();
  private audioPumped: Promise<void> = Promise.resolve();
  /** Audio packets that came out before the first video keyframe (they go right after it). */
  private audioBeforeVideo: Uint8Array[] | null = [];
  private ending?: Promise<void>;
  private closed = false;
  private videoMuxed = false;
  private audioConfig: EncoderAudio | null;
  /** Video children started so far (1 + size-change restarts). */
  restarts = 0;

  constructor(private readonly opts: EncoderOptions = {}) {
    if (opts.gop !== undefined && !(opts.gop > 0)) throw new TrickleError('TRICKLE_USAGE', `gop must be a positive number of seconds, got ${opts.gop}`);
    this.log = opts.log ?? silentLogger;
    this.warn = rateLimited(this.log, 5000);
    this.audioConfig = opts.audio ?? null;
    this.ts = new TsMuxer(opts.audio ? { codec: opts.audio.codec ?? 'aac' } : undefined);
    opts.signal?.addEventListener('abort', () => void this.close(), { once: true });
    this.spare = this.spawnVideo(false);
    if (opts.audio) this.spareAudio = this.spawnAudio();
  }

  private spawnAudio(): FfmpegChild {
    return new FfmpegChild(audioEncoderArgs(this.audioConfig!), { ffmpeg: this.opts.ffmpeg, log: this.log, signal: this.opts.signal, name: 'audio encoder' });
  }

  private spawnVideo(oddSize: boolean): FfmpegChild {
    return new FfmpegChild(videoEncoderArgs(this.opts, oddSize), { ffmpeg: this.opts.ffmpeg, log: this.log, signal: this.opts.signal, name: 'video encoder' });
  }

  /** True when this encoder has no audio stream (audio frames are ignored). */
  get audioless(): boolean {
    return !this.audioConfig;
  }

  /**
   * Drops the audio stream before anything was encoded (the input turned out to have none), so
   * the output declares none; false when it is too late for that.
   */
  withoutAudio(): boolean {
    if (this.audio || this.videoMuxed) return !this.audioConfig;
    this.audioConfig = null;
    this.ts.dropAudio();
    void this.spareAudio?.close();
    this.spareAudio = undefined;
    return true;
  }

  /** Queues one video frame; resolves when ffmpeg can take more. */
  async writeVideo(frame: VideoFrame): Promise<void> {
    this.assertOpen();
    if (frame.data.length !== frame.width * frame.height * 3) {
      throw new TrickleError('TRICKLE_BAD_MEDIA', `video frame holds ${frame.data.length} bytes, expected ${frame.width}x${frame.height}x3`);
    }
    const run = this.video;
    if (run && (run.width !== frame.width || run.height !== frame.height)) {
      this.log.info('output size changed, restarting encoder', { from: `${run.width}x${run.height}`, to: `${frame.width}x${frame.height}` });
      await this.finish(run);
      this.video = undefined;
    } else if (run?.lastPts !== undefined && frame.pts <= run.lastPts) {
      if (frame.pts === run.lastPts) {
        this.warn('warn', 'same-pts', 'video frame with the same pts as the previous one dropped', { pts: frame.pts });
        return;
      }
      // ffmpeg would rewrite backwards timestamps to last+1; a fresh child keeps them as they are.
      this.log.info('video pts went backwards, restarting encoder', { from: run.lastPts, to: frame.pts });
      await this.finish(run);
      this.video = undefined;
    }
    const current = (this.video ??= this.startVideo(frame.width, frame.height));
    if (await this.writeFrame(current, frame.pts, frame.data)) current.lastPts = frame.pts;
  }

  /** Queues one block of audio (dropped when no audio stream was configured or its format differs). */
  async writeAudio(frame: AudioFrame): Promise<void> {
    this.assertOpen();
    const audio = this.audioConfig;
    if (!audio) return;
    const channels = this.audio?.channels ?? audio.channels ?? frame.channels;
    const sampleRate = audio.sampleRate ?? 48_000;
    if (frame.channels !== channels || frame.sampleRate !== sampleRate) {
      this.warn('warn', 'audio-format', 'audio frame format differs from the encoder stream, dropped', {
        got: `${frame.sampleRate}Hz/${frame.channels}ch`,
        want: `${sampleRate}Hz/${channels}ch`,
      });
      return;
    }
    let run = this.audio;
    if (run?.lastPts !== undefined && frame.pts < run.lastPts) {
      if (run.lastPts - frame.pts <= AUDIO_REWIND_TICKS) {
        this.warn('warn', 'audio-backwards', 'audio frame older than the previous one dropped', { pts: frame.pts });
        return;
      }
      // A restarted source: a fresh child keeps the new timestamps (ffmpeg would drop or rewrite them).
      this.log.info('audio pts went backwards, restarting the audio encoder', { from: run.lastPts, to: frame.pts });
      await this.finish(run);
      run = undefined;
    }
    run = this.audio = run ?? this.startAudio(channels, sampleRate);
    const d = frame.data;
    if (await this.writeFrame(run, frame.pts, new Uint8Array(d.buffer, d.byteOffset, d.byteLength))) run.lastPts = frame.pts;
  }

  /** Writes one frame to a run's child; false when it was dropped. */
  private async writeFrame(run: Run, pts: number, data: Uint8Array): Promise<boolean> {
    const p = Math.round(pts);
    if (p < 0) {
      this.warn('warn', 'negative-pts', 'frame with negative pts dropped (NUT cannot carry it)', { pts });
      return false;
    }
    // Resolves once the OS has the bytes: the caller may then reuse `data` (processors do).
    await run.child.write([run.nut.frameHeader(0, p, data.length), data]);
    return true;
  }

  private startVideo(width: number, height: number): VideoRun {
    const nut = new NutMuxer([{ kind: 'video', width, height }]);
    const odd = width % 2 === 1 || height % 2 === 1;
    if (odd) void this.spare?.close(); // started without the pad filter
    const child = (!odd && this.spare) || this.spawnVideo(odd);
    this.spare = undefined;
    this.restarts++;
    void child.write(nut.header()).catch(() => {});
    const pumped = this.videoPumped.then(() => this.pump(child, 'video'));
    this.videoPumped = pumped;
    pumped.catch(() => {}); // reported through output() and the next write/end
    return { child, nut, width, height, pumped };
  }

  private startAudio(channels: number, sampleRate: number): AudioRun {
    const nut = new NutMuxer([{ kind: 'audio', sampleRate, channels }]);
    const child = this.spareAudio ?? this.spawnAudio();
    this.spareAudio = undefined;
    this.ts.setAudioChannels(channels);
    void child.write(nut.header()).catch(() => {});
    const pumped = this.audioPumped.then(() => this.pump(child, 'audio'));
    this.audioPumped = pumped;
    pumped.catch(() => {});
    return { child, nut, channels, pumped };
  }

  /** Muxes one child's packets into the shared output, then checks how it exited. */
  private async pump(child: FfmpegChild, kind: 'video' | 'audio'): Promise<void> {
    const demux = new NutDemuxer();
    let headerTaken = false;
    const offset = kind === 'audio' ? AUDIO_OFFSET_SECONDS * 90_000 : 0;
    try {
      for await (const chunk of child.stdout) {
        const packets = demux.push(chunk as Uint8Array);
        if (!headerTaken && demux.ready) {
          headerTaken = true;
          if (kind === 'video') this.ts.setVideoHeader(demux.streams[0].extradata);
          else this.ts.setAudioHeader(demux.streams[0].extradata);
        }
        for (const p of packets) {
          const pts = to90k(p.pts, demux.streams[p.stream].timeBase) - offset;
          if (kind === 'video') await this.muxedVideo(this.ts.video({ pts, key: p.key, data: p.data }));
          else await this.muxedAudio(this.ts.audioPacket({ pts, data: p.data }));
        }
      }
    } catch (err) {
      if (!child.stoppedByUs && err instanceof NutFormatError) {
        // Bytes we cannot read from our own encoder: stop it and say so.
        await child.close();
        const failure = new TrickleError('TRICKLE_FFMPEG_EXIT', `reading the ffmpeg ${kind} encoder's output failed: ${err.message}`, { cause: err });
        this.out.end(failure);
        throw failure;
      }
      if (!child.stoppedByUs) this.log.debug('encoder output error', { error: (err as Error).message });
    }
    const failure = child.failure(await child.exited);
    if (failure) {
      this.out.end(failure);
      throw failure;
    }
  }

  private async muxedVideo(bytes: Uint8Array): Promise<void> {
    this.videoMuxed = true;
    await this.out.push(bytes);
    const held = this.audioBeforeVideo;
    this.audioBeforeVideo = null;
    for (const a of held ?? []) await this.out.push(a);
  }

  private async muxedAudio(bytes: Uint8Array): Promise<void> {
    if (!this.audioBeforeVideo) return this.out.push(bytes);
    this.audioBeforeVideo.push(bytes);
    if (this.audioBeforeVideo.length > MAX_AUDIO_BEFORE_VIDEO) this.audioBeforeVideo.shift();
  }

  /** Ends a run's input and waits until its output is muxed. */
  private async finish(run: Run | undefined): Promise<void> {
    if (!run) return;
    run.child.endInput();
    await run.pumped;
  }

  /** No more frames: flushes ffmpeg; output() ends after the last bytes. */
  end(): Promise<void> {
    this.ending ??= (async () => {
      try {
        await Promise.all([this.finish(this.video), this.finish(this.audio)]);
        this.video = this.audio = undefined;
        await Promise.all([this.spare?.close(), this.spareAudio?.close()]);
        // Audio with no video at all still comes out.
        for (const a of this.audioBeforeVideo ?? []) await this.out.push(a);
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

  /** Kills the running children (within ~2 s) and ends output(); idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const runs = [this.video, this.audio];
    this.video = this.audio = undefined;
    this.out.abort();
    await Promise.all([...runs.map((r) => r?.child.close()), this.spare?.close(), this.spareAudio?.close()]);
  }
}
