// Encoder: VideoFrame/AudioFrame in (NUT into an ffmpeg child) → H.264/AAC MPEG-TS bytes out, pts kept.
//
// ffmpeg encodes; the MPEG-TS is written here (TsMuxer): ffmpeg's own TS muxer held every video
// packet until the next packet of another stream came (~33 ms at 30 fps). Video and audio are
// separate children with NUT outputs, so neither waits for the other anywhere, and the audio one
// starts at the first audio frame with its channel count (video never waits to learn it).
// Arguments: encoder-args.ts.
//
// A frame whose size or pixel format differs from the running child's restarts the child (NUT fixes both
// per stream): the old one is drained first, output() continues with the new one's bytes.
import { TrickleError } from '../errors.js';
import type { CopiedAudioPacket } from './audio-copy.js';
import { rateLimited, silentLogger, type Logger } from '../logger.js';
import { BoundedQueue } from './bounded-queue.js';
import type { FfmpegLocation } from './ffmpeg.js';
import { FfmpegChild } from './ffmpeg-child.js';
import { EncoderTrack } from './encoder-track.js';
import type { AudioFrame, VideoFrame } from './frames.js';
import type { NutMuxStream } from './nut/muxer.js';
import { frameBytes } from './pixel-format.js';
import { RestartBudget } from './restart-budget.js';
import { adtsDurationTicks } from './ts/adts.js';
import { TsMuxer, type CopiedAudioStream } from './ts/muxer.js';
import { AUDIO_OFFSET_SECONDS, audioEncoderArgs, outputAudioCodec, videoEncoderArgs, type EncoderAudio } from './encoder-args.js';
import { mediaSettings } from './settings-check.js';
import type { MediaSettings } from './settings.js';

export { encoderArgsTs, type EncoderAudio } from './encoder-args.js';

/** The stream's media settings (gop, preset …: whatever encoder-args.ts turns into arguments) and the encoder's own. */
export interface EncoderOptions extends Partial<MediaSettings> {
  ffmpeg?: FfmpegLocation;
  /** Audio stream to encode; null or omitted for video only. */
  audio?: EncoderAudio | null;
  /** Audio will likely be copied (copyAudio()): no audio ffmpeg is started ahead of the first frame. */
  audioCopied?: boolean;
  /** Video will likely come encoded (videoHeader()/videoPacket()): no video ffmpeg is started ahead of the first frame. */
  videoTranscoded?: boolean;
  /** How often its children may die and be replaced: the stream's budget, shared with its decoder (default: its own, 3 in 120 s). */
  restarts?: RestartBudget;
  log?: Logger;
  signal?: AbortSignal;
}

type VideoStream = Extract<NutMuxStream, { kind: 'video' }>;
type AudioStream = Extract<NutMuxStream, { kind: 'audio' }>;

/** Audio going back by more than this (90 kHz) is a restarted source, not an overlap to drop. */
const AUDIO_REWIND_TICKS = 90_000;

/** Audio muxed before the first video keyframe is held for it, up to this many packets (~4 s of AAC). */
const MAX_AUDIO_BEFORE_VIDEO = 200;

/**
 * Copied audio waits until video has been muxed past its pts, but no longer than this span of
 * audio (90 kHz) or this many packets: a video stall lets audio go out ahead, memory stays bounded.
 */
const MAX_HELD_AUDIO_TICKS = 2 * 90_000;
/**
 * A copied audio packet that starts before the last one copied ends, by at most this much (the
 * overlap where two recordings were spliced, an encoder's priming), is dropped: the output's audio
 * timestamps only increase. A larger jump back is a new timeline (a restarted publisher, a wrap).
 */
const MAX_AUDIO_OVERLAP_TICKS = 90_000;
/** PES pts are rounded to 90 kHz ticks: an overlap this small (1 ms) is rounding, not a splice. */
const AUDIO_OVERLAP_SLACK_TICKS = 90;
const MAX_HELD_AUDIO_PACKETS = 256;

/**
 * Encodes frames to MPEG-TS through two ffmpeg children, one for video and one for audio (each
 * restarted when its input changes in a way NUT cannot carry), muxed into one TS here.
 */
export class Encoder {
  private readonly out = new BoundedQueue<Uint8Array>(1 << 20, (c) => c.length);
  private readonly log: Logger;
  private readonly warn: ReturnType<typeof rateLimited>;
  /** One muxer for both tracks: continuity counters run on through restarts. */
  private readonly ts: TsMuxer;
  /** The variant of a video child is whether it pads odd sizes. */
  private readonly video: EncoderTrack<VideoStream, boolean>;
  private readonly audio: EncoderTrack<AudioStream>;
  /** Audio packets that came out before the first video keyframe (they go right after it). */
  private audioBeforeVideo: Uint8Array[] | null = [];
  /** Copied audio packets (muxed) waiting for video to pass their pts, oldest first. */
  private heldAudio: { pts: number; bytes: Uint8Array }[] = [];
  private copiedAudioLast?: { pts: number; end: number };
  private hasVideo = true;
  /** Copied audio packets dropped: before the first video keyframe past the bound, or with no copied stream to go in. */
  copiedAudioDropped = 0;
  private ending?: Promise<void>;
  private closed = false;
  private videoMuxed = false;
  /** Video comes encoded (videoPacket()) rather than as frames. */
  private videoElsewhere: boolean;
  private audioConfig: EncoderAudio | null;

  constructor(opts: EncoderOptions = {}) {
    const media = mediaSettings(opts);
    this.log = opts.log ?? silentLogger;
    this.warn = rateLimited(this.log, 5000);
    this.audioConfig = opts.audio ?? null;
    this.videoElsewhere = opts.videoTranscoded === true;
    this.ts = new TsMuxer(opts.audio ? { codec: outputAudioCodec(media) } : undefined);
    opts.signal?.addEventListener('abort', () => void this.close(), { once: true });
    const child = (name: string, args: string[]) => new FfmpegChild(args, { ffmpeg: opts.ffmpeg, log: this.log, signal: opts.signal, name });
    const failed = (err: Error) => this.out.end(err);
    const restarts = opts.restarts ?? new RestartBudget({ log: this.log });
    this.video = new EncoderTrack({
      kind: 'video',
      log: this.log,
      spawn: (oddSize) => child('video encoder', videoEncoderArgs(media, oddSize)),
      ptsOffset: 0,
      header: (extradata) => this.ts.setVideoHeader(extradata),
      packet: (p) => this.muxedVideo(p.pts, this.ts.video(p)),
      failed,
      restarts,
    });
    this.audio = new EncoderTrack({
      kind: 'audio',
      log: this.log,
      spawn: () => child('audio encoder', audioEncoderArgs(media)),
      ptsOffset: AUDIO_OFFSET_SECONDS * 90_000,
      header: (extradata) => this.ts.setAudioHeader(extradata),
      packet: (p) => this.muxedAudio(this.ts.audioPacket(p)),
      failed,
      restarts,
    });
    if (!opts.videoTranscoded) this.video.warm(false);
    if (opts.audio && !opts.audioCopied) this.audio.warm(undefined);
  }

  /** Video children started so far (1 + replacements: size changes, rewinds, children that died). */
  get restarts(): number {
    return this.video.started;
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
    if (this.audio.stream || this.videoMuxed) return !this.audioConfig;
    this.audioConfig = null;
    this.ts.dropAudio();
    void this.audio.dropSpare();
    return true;
  }

  /**
   * The output's audio is `stream` copied (copyAudio() packets), not encoded here; false when
   * it is too late for that (encoded audio or video already went out) or there is no audio.
   */
  copyAudio(stream: CopiedAudioStream): boolean {
    if (!this.audioConfig || this.audio.stream || this.videoMuxed) return this.ts.copiesAudio;
    this.ts.copyAudio(stream);
    void this.audio.dropSpare();
    return true;
  }

  /** The input has no video: audio goes out as it comes, the PSI with it (false when video already went out). */
  withoutVideo(): boolean {
    if (this.videoMuxed) return false;
    this.hasVideo = false;
    this.ts.dropVideo();
    void this.video.dropSpare();
    return true;
  }

  /**
   * Muxes one copied audio PES; it goes out once video has been muxed past its pts (bounded,
   * see MAX_HELD_AUDIO_*). Dropped when the output has no copied audio stream.
   */
  async writeAudioPacket(p: Pick<CopiedAudioPacket, 'pts' | 'dts' | 'streamId' | 'data'>): Promise<void> {
    if (this.closed || this.ending || !this.ts.copiesAudio) {
      this.copiedAudioDropped++;
      return;
    }
    // Where the last copied packet's audio ends: its pts, plus what its ADTS frames play (one PES
    // often carries several AAC frames, so a spliced input overlaps inside it).
    const last = this.copiedAudioLast;
    if (last && (p.pts <= last.pts || p.pts < last.end - AUDIO_OVERLAP_SLACK_TICKS) && last.end - p.pts <= MAX_AUDIO_OVERLAP_TICKS) {
      this.copiedAudioDropped++;
      return;
    }
    this.copiedAudioLast = { pts: p.pts, end: p.pts + (adtsDurationTicks(p.data) ?? 0) };
    const bytes = this.ts.audioCopy(p, p.streamId);
    if (!this.hasVideo) return this.out.push(bytes);
    const held = this.heldAudio;
    held.push({ pts: p.pts, bytes });
    // Either way: a pts that rewound (a restarted publisher, a 33-bit wrap) must not strand what is held.
    while (held.length > MAX_HELD_AUDIO_PACKETS || Math.abs(p.pts - held[0].pts) > MAX_HELD_AUDIO_TICKS) {
      const oldest = held.shift()!;
      // Nothing may go before the first keyframe's PAT/PMT.
      if (this.videoMuxed) await this.out.push(oldest.bytes);
      else this.copiedAudioDropped++;
    }
  }

  /** Copied audio up to `pts` goes out (all of it when undefined). */
  private async releaseAudio(pts = Infinity): Promise<void> {
    const held = this.heldAudio;
    let n = 0;
    while (n < held.length && held[n].pts <= pts) n++;
    if (n === 0) return;
    for (const a of held.splice(0, n)) await this.out.push(a.bytes);
  }

  /** The codec header (SPS/PPS) of video encoded elsewhere, before its packets (once per encoding child). */
  videoHeader(extradata: Uint8Array): void {
    this.ts.setVideoHeader(extradata);
  }

  /**
   * One packet of video encoded elsewhere (a transcoding child with this encoder's video settings),
   * muxed like this encoder's own; its children's packets must not be interleaved with these.
   */
  async videoPacket(p: { pts: number; key: boolean; data: Uint8Array }): Promise<void> {
    if (this.closed) return;
    if (!this.videoElsewhere) {
      // Frames were encoded here (an input stall's repeated picture): all of their output goes first.
      this.videoElsewhere = true;
      await this.video.finish();
    }
    await this.muxedVideo(p.pts, this.ts.video(p));
  }

  /**
   * Queues one video frame; resolves when ffmpeg can take more. After videoPacket()s the caller
   * writes frames only once the last of those packets is muxed (the decoder's order guarantees it).
   */
  async writeVideo(frame: VideoFrame): Promise<void> {
    this.assertOpen();
    this.videoElsewhere = false;
    const format = frame.format ?? 'rgb24';
    if (frame.data.length !== frameBytes(format, frame.width, frame.height)) {
      throw new TrickleError('TRICKLE_BAD_MEDIA', `video frame holds ${frame.data.length} bytes, expected ${frameBytes(format, frame.width, frame.height)} for ${frame.width}x${frame.height} ${format}`);
    }
    const track = this.video;
    const running = track.stream;
    if (running && (running.width !== frame.width || running.height !== frame.height || running.format !== format)) {
      this.log.info('output size or pixel format changed, restarting encoder', { from: `${running.width}x${running.height} ${running.format}`, to: `${frame.width}x${frame.height} ${format}` });
      await track.finish();
    } else if (track.lastPts !== undefined && frame.pts <= track.lastPts) {
      if (frame.pts === track.lastPts) {
        this.warn('warn', 'same-pts', 'video frame with the same pts as the previous one dropped', { pts: frame.pts });
        return;
      }
      // ffmpeg would rewrite backwards timestamps to last+1; a fresh child keeps them as they are.
      this.log.info('video pts went backwards, restarting encoder', { from: track.lastPts, to: frame.pts });
      await track.finish();
    }
    // yuv420p needs even sizes: an odd one gets a child with the pad filter.
    if (!track.stream) track.open({ kind: 'video', width: frame.width, height: frame.height, format }, frame.width % 2 === 1 || frame.height % 2 === 1);
    await this.writeFrame(track, frame.pts, frame.data);
  }

  /** Queues one block of audio (dropped when no audio stream was configured or its format differs). */
  async writeAudio(frame: AudioFrame): Promise<void> {
    this.assertOpen();
    const audio = this.audioConfig;
    if (!audio) return;
    if (this.ts.copiesAudio) {
      this.warn('warn', 'audio-copied', 'decoded audio frame dropped: the output copies the input\'s audio stream');
      return;
    }
    const track = this.audio;
    const channels = track.stream?.channels ?? audio.channels ?? frame.channels;
    const sampleRate = audio.sampleRate ?? 48_000;
    if (frame.channels !== channels || frame.sampleRate !== sampleRate) {
      this.warn('warn', 'audio-format', 'audio frame format differs from the encoder stream, dropped', {
        got: `${frame.sampleRate}Hz/${frame.channels}ch`,
        want: `${sampleRate}Hz/${channels}ch`,
      });
      return;
    }
    if (track.lastPts !== undefined && frame.pts < track.lastPts) {
      if (track.lastPts - frame.pts <= AUDIO_REWIND_TICKS) {
        this.warn('warn', 'audio-backwards', 'audio frame older than the previous one dropped', { pts: frame.pts });
        return;
      }
      // A restarted source: a fresh child keeps the new timestamps (ffmpeg would drop or rewrite them).
      this.log.info('audio pts went backwards, restarting the audio encoder', { from: track.lastPts, to: frame.pts });
      await track.finish();
    }
    if (!track.stream) {
      this.ts.setAudioChannels(channels);
      track.open({ kind: 'audio', sampleRate, channels }, undefined);
    }
    const d = frame.data;
    await this.writeFrame(track, frame.pts, new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }

  /** Writes one frame to a track's child, unless NUT cannot carry its pts. */
  private async writeFrame<S extends NutMuxStream, V>(track: EncoderTrack<S, V>, pts: number, data: Uint8Array): Promise<void> {
    const p = Math.round(pts);
    if (p < 0) {
      this.warn('warn', 'negative-pts', 'frame with negative pts dropped (NUT cannot carry it)', { pts });
      return;
    }
    await track.write(p, data);
    track.lastPts = pts;
  }

  private async muxedVideo(pts: number, bytes: Uint8Array): Promise<void> {
    this.videoMuxed = true;
    await this.out.push(bytes);
    const held = this.audioBeforeVideo;
    this.audioBeforeVideo = null;
    for (const a of held ?? []) await this.out.push(a);
    await this.releaseAudio(pts);
  }

  private async muxedAudio(bytes: Uint8Array): Promise<void> {
    if (!this.audioBeforeVideo || !this.hasVideo) return this.out.push(bytes);
    this.audioBeforeVideo.push(bytes);
    if (this.audioBeforeVideo.length > MAX_AUDIO_BEFORE_VIDEO) this.audioBeforeVideo.shift();
  }

  /** No more frames: flushes ffmpeg; output() ends after the last bytes. */
  end(): Promise<void> {
    this.ending ??= (async () => {
      try {
        await Promise.all([this.video.finish(), this.audio.finish()]);
        await Promise.all([this.video.dropSpare(), this.audio.dropSpare()]);
        // Audio with no video at all still comes out.
        for (const a of this.audioBeforeVideo ?? []) await this.out.push(a);
        await this.releaseAudio();
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
    this.out.abort();
    await Promise.all([this.video.close(), this.audio.close()]);
  }
}
