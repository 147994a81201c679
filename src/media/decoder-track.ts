// One stream kind's decoder (video or audio): what feeds its ffmpeg line, and what the line's children give back.
//
// Video PES go to the child as NUT packets with their pts (compressed video in NUT needs no
// parser, so nothing waits for the next frame). Audio PES are re-muxed into an audio-only TS
// (PAT, PMT with the input's stream type and descriptors, each PES with its length set), so the
// audio ffmpeg knows every codec TS carries and has no video to wait for. When the stream's pts
// jump back by seconds (a restarted publisher) or the stream itself changes, the next PES goes
// to a fresh child: ffmpeg with -copyts would rewrite such pts to last+1. When a child dies and
// its line replaces it, the video track waits for the input's next keyframe (the PES before it
// cannot be decoded on their own and are counted as dropped).
// How input size changes come out (media.resize) is decode-sizes.ts's to say.
import { TrickleError } from '../errors.js';
import type { Logger } from '../logger.js';
import { audioDecoderArgs, videoDecoderArgs, type DecodeSize } from './decoder-args.js';
import { DecodeSizes, type ResizeMode } from './decode-sizes.js';
import type { FfmpegLocation } from './ffmpeg.js';
import { FfmpegChild } from './ffmpeg-child.js';
import { FfmpegLine } from './ffmpeg-line.js';
import type { AudioFrame, VideoFrame } from './frames.js';
import { NutDemuxer, NutFormatError, type NutPacket } from './nut/demuxer.js';
import type { NutStream } from './nut/headers.js';
import { NutMuxer } from './nut/muxer.js';
import type { PixelFormat } from './pixel-format.js';
import { audioFrame, to90k, videoFrame } from './nut-frames.js';
import { NutSocketReader, nutSocketPath } from './nut-socket.js';
import type { RestartBudget } from './restart-budget.js';
import type { PesPacket } from './ts/demuxer.js';
import { isKeyframe } from './ts/keyframes.js';
import { pesPackets } from './ts/pes.js';
import { PTS_WRAP } from './ts/pts.js';
import { patPacket, pmtPacket, type ElementaryStream } from './ts/psi.js';
import { NUT_VIDEO_FOURCC } from './ts/stream-types.js';

export type TrackKind = 'video' | 'audio';

/** What a track needs from its decoder. */
export interface TrackHost {
  ffmpeg?: FfmpegLocation;
  /** A size every frame is scaled to; without one, input size changes follow `resize`. */
  size: DecodeSize;
  resize: ResizeMode;
  /** The pixel format of decoded video. */
  format: PixelFormat;
  /** Video output over a unix socket (else stdout). */
  socket: boolean;
  log: Logger;
  signal?: AbortSignal;
  /** Where video frames are assembled (the decoder's frame pool). */
  alloc(size: number): Uint8Array;
  /** A decoded frame, in order; resolves when there is room for more. */
  frame(frame: VideoFrame | AudioFrame): Promise<void>;
  /** A child announced its output stream. */
  announced(): void;
  /** A child failed beyond the restart budget: the decoder fails. */
  fail(err: Error): void;
  /** The stream's restart budget (none: the first death fails the decoder). */
  restarts?: RestartBudget;
  /** A video PES was left out after a restart (until the next keyframe). */
  dropped(): void;
  /** Video is transcoded in one child (no frames come back) while this is set and the track is direct. */
  transcode?: TranscodeHost;
}

/** Where a transcoding child's output goes: its codec header once per child, then its packets in order. */
export interface TranscodeHost {
  args(size: DecodeSize): string[];
  header(extradata: Uint8Array): void;
  /** One encoded packet (90 kHz pts); resolves when there is room for more. */
  packet(p: { pts: number; key: boolean; data: Uint8Array }): Promise<void>;
}

/** The compressed video kept since the last keyframe (to decode the last picture again), at most. */
const MAX_GOP_PES = 900;
const MAX_GOP_BYTES = 16 << 20;

/** pts moving back by more than this is a restarted source, not B-frame reordering. */
const REWIND_TICKS = 2 * 90_000;
/** The size put in the video NUT header: the decoder takes the real one from the bitstream. */
const PLACEHOLDER_SIZE = 16;
/** The PMT PID of the audio-only TS we write (ffmpeg's default); no PCR: ffmpeg times audio by pts. */
const AUDIO_PMT_PID = 0x1000;
const NO_PCR_PID = 0x1fff;

/** True when `pts` after `last` is a rewind rather than reordering or a 33-bit wrap. */
function isRewind(last: number, pts: number): boolean {
  if (pts >= last - REWIND_TICKS) return false;
  return !(last > PTS_WRAP - 600 * 90_000 && pts < 600 * 90_000);
}

function sameStream(a: ElementaryStream, b: ElementaryStream): boolean {
  return a.pid === b.pid && a.streamType === b.streamType && Buffer.compare(a.descriptors, b.descriptors) === 0;
}

export class DecoderTrack {
  /** The output stream the latest child announced. */
  output?: NutStream;
  private readonly line: FfmpegLine<boolean>;
  private stream?: ElementaryStream;
  private lastPts?: number;
  /** Video: the NUT muxer feeding the current child. */
  private nut?: NutMuxer;
  /** Audio: continuity counters of the TS we write. */
  private readonly cc = { pat: 0, pmt: 0, es: 0 };
  private readonly sockets = new WeakMap<FfmpegChild, NutSocketReader>();
  /** Video after a child was replaced: PES are left out until a keyframe. */
  private awaitingKey = false;
  private readonly sizes: DecodeSizes;
  private closed = false;
  /** Video goes through transcoding children (host.transcode) rather than decoding ones. */
  private direct: boolean;
  /** Direct: leave at the next keyframe (a setting that needs frames came in). */
  private leaveAtKey = false;
  /** Left for a stall: transcode again from the next keyframe. */
  private returnAtKey = false;
  /** Direct: the PES since the last keyframe, undefined once past the bounds. */
  private gop?: PesPacket[] = [];
  private gopBytes = 0;
  private readonly transcoders = new WeakSet<FfmpegChild>();

  constructor(
    readonly kind: TrackKind,
    private readonly host: TrackHost,
  ) {
    this.sizes = new DecodeSizes(host.size, host.resize);
    this.direct = kind === 'video' && host.transcode !== undefined;
    this.line = new FfmpegLine<boolean>(
      { spawn: (direct) => this.spawn(direct), pump: (child) => this.pump(child), failed: (err) => host.fail(err), replaced: () => (this.awaitingKey = kind === 'video') },
      host.restarts,
    );
    this.line.warm(this.direct);
  }

  /** True while video is transcoded in one child: no frames come back. */
  get transcoding(): boolean {
    return this.direct;
  }

  /** Frames from the next keyframe on (a setting that needs them came in). */
  leaveDirectAtKeyframe(): void {
    if (this.direct) this.leaveAtKey = true;
    this.returnAtKey = false;
  }

  /**
   * The last pts the transcoder was given when the track left it for a stall: the decoding child
   * that follows decodes the frames since the last keyframe again, up to this one, which were
   * already out (only the last is of use, as the picture to repeat).
   */
  replayUntil?: number;

  /**
   * For an input stall: the transcoder is told its input ended (its output goes out first), and
   * what it was given since the last keyframe is decoded again in a decoding child whose input
   * then ends too, so its last frame (the picture to repeat) comes out at once. The next input
   * goes to a fresh transcoder from its next keyframe (the PES before it have no references left).
   */
  async leaveDirect(): Promise<void> {
    if (!this.direct) return;
    this.switchToFrames('input stalled: decoding the last GOP again for the picture to repeat');
    const gop = this.gop ?? [];
    this.gop = undefined;
    if (gop.length) {
      this.replayUntil = gop.reduce((m, p) => Math.max(m, p.pts ?? p.dts ?? -1), -1);
      for (const pes of gop) await this.feed(pes);
      this.line.endInput();
    }
    this.awaitingKey = true;
    this.returnAtKey = true;
  }

  private switchToFrames(why: string): void {
    this.direct = false;
    this.leaveAtKey = false;
    this.line.endInput();
    void this.line.dropSpare();
    this.host.log.info(why);
  }

  /** Direct: remembers the PES since the last keyframe, within bounds. */
  private keep(pes: PesPacket, key: boolean): void {
    if (key) {
      this.gop = [];
      this.gopBytes = 0;
    }
    if (!this.gop) return;
    this.gop.push(pes);
    this.gopBytes += pes.data.length;
    if (this.gop.length > MAX_GOP_PES || this.gopBytes > MAX_GOP_BYTES) this.gop = undefined;
  }

  /** Children started so far. */
  get started(): number {
    return this.line.started;
  }

  /** Every child's output read to its end, in order. */
  get pumped(): Promise<void> {
    return this.line.pumped;
  }

  /** Feeds one PES of this kind; resolves once ffmpeg took it (backpressure). */
  async feed(pes: PesPacket): Promise<void> {
    const pts = pes.pts ?? pes.dts ?? (this.lastPts !== undefined ? this.lastPts + 1 : 0); // a PES without pts follows the last
    const key = this.kind === 'video' && (pes.randomAccess || isKeyframe(pes.data, pes.stream.codec));
    if (this.awaitingKey && !key) return this.host.dropped();
    this.awaitingKey = false;
    if (this.returnAtKey && key) {
      // The input resumed after a stall: transcoded again, from this keyframe.
      this.returnAtKey = false;
      this.direct = true;
      this.host.log.info('input resumed at a keyframe: video is transcoded in one ffmpeg child again');
    }
    if (this.direct && this.leaveAtKey && key) this.switchToFrames('a setting needs frames: video is decoded to frames from this keyframe on');
    if (this.direct) this.keep(pes, key);
    const why = this.restartReason(pes.stream, pts, key && this.sizes.changed(pes));
    if (why) {
      this.host.log.info(`input ${this.kind} ${why}, restarting its decoder`, { from: this.lastPts, to: pts });
      this.line.endInput();
      // The next child must know the first size (resize first): the old one, its input ended, says it or exits.
      if (this.kind === 'video') await this.sizes.known;
    }
    const child = this.childFor(pes.stream, pts);
    try {
      if (this.kind === 'video') {
        await child.write([this.nut!.frameHeader(0, pts, pes.data.length, key), pes.data]);
      } else {
        const { packets, cc } = pesPackets({ pid: pes.stream.pid, streamId: pes.streamId, pts, dts: pes.dts }, pes.data, this.cc.es);
        this.cc.es = cc;
        await child.write(packets);
      }
    } catch (err) {
      // Unless the line replaced the child (then this PES went with it), the decoder fails.
      this.line.lost(child, err as Error);
      if (this.kind === 'video') this.host.dropped();
    }
  }

  /** Why the running child cannot take this PES: the stream changed, its pts rewound or its size changed (resize follow). */
  private restartReason(stream: ElementaryStream, pts: number, resized: boolean): string | undefined {
    if (!this.line.child) return undefined;
    if (this.lastPts !== undefined && isRewind(this.lastPts, pts)) return 'pts went backwards';
    if (this.stream !== undefined && !sameStream(this.stream, stream)) return 'stream changed';
    return resized ? 'size changed' : undefined;
  }

  /** The current child, or a fresh one when there is none. */
  private childFor(stream: ElementaryStream, pts: number): FfmpegChild {
    this.stream = stream;
    this.lastPts = pts;
    if (this.line.child) return this.line.child;
    const child = this.line.start(this.direct, this.header(stream));
    this.sockets.get(child)?.arm();
    return child;
  }

  private spawn(direct: boolean): FfmpegChild {
    if (direct && this.host.transcode) {
      const child = new FfmpegChild(this.host.transcode.args(this.sizes.forChild()), { ffmpeg: this.host.ffmpeg, log: this.host.log, signal: this.host.signal, name: 'video transcoder' });
      this.transcoders.add(child);
      return child;
    }
    const socketPath = this.kind === 'video' && this.host.socket ? nutSocketPath() : undefined;
    const args = this.kind === 'video' ? videoDecoderArgs(this.sizes.forChild(), socketPath, this.host.format) : audioDecoderArgs();
    const child = new FfmpegChild(args, { ffmpeg: this.host.ffmpeg, log: this.host.log, signal: this.host.signal, name: `${this.kind} decoder` });
    if (socketPath) this.sockets.set(child, new NutSocketReader(socketPath, new NutDemuxer(this.host.alloc), child.exited));
    void child.exited.then(() => this.sockets.get(child)?.close());
    return child;
  }

  /** What a fresh child reads first: the NUT header (video), or the audio-only TS's PAT and PMT. */
  private header(stream: ElementaryStream): Uint8Array[] {
    if (this.kind === 'video') {
      this.nut = new NutMuxer([{ kind: 'video', width: PLACEHOLDER_SIZE, height: PLACEHOLDER_SIZE, fourcc: NUT_VIDEO_FOURCC[stream.codec] }]);
      return [this.nut.header()];
    }
    const pat = patPacket(AUDIO_PMT_PID, 1, this.cc.pat++);
    const pmt = pmtPacket(AUDIO_PMT_PID, { programNumber: 1, pcrPid: NO_PCR_PID, streams: [stream] }, this.cc.pmt++);
    return [pat, pmt];
  }

  /** Stops the spare: the input has no such stream (or it ended). */
  dropSpare(): void {
    void this.line.dropSpare();
  }

  /** No more input: the children drain; `pumped` settles after the last frame. */
  endInput(): void {
    void this.line.dropSpare();
    this.line.endInput();
  }

  /** A child's output as batches of NUT packets: from its socket, or parsed from stdout. */
  private async *packets(child: FfmpegChild, demux: NutDemuxer): AsyncGenerator<NutPacket[]> {
    const socket = this.sockets.get(child);
    if (socket) yield* socket;
    else for await (const chunk of child.stdout) yield demux.push(chunk as Uint8Array);
  }

  /** Hands one child's frames to the host, then checks how the child ended. */
  private async pump(child: FfmpegChild): Promise<void> {
    const transcoder = this.transcoders.has(child);
    const demux = this.sockets.get(child)?.demuxer ?? (this.kind === 'video' && !transcoder ? new NutDemuxer(this.host.alloc) : new NutDemuxer());
    let produced = 0;
    let announced = false;
    // Whatever became of this child, a later one no longer waits for it to say its size.
    void child.exited.then(() => this.sizes.ended());
    try {
      for await (const packets of this.packets(child, demux)) {
        if (!announced && demux.ready) {
          announced = true;
          this.output = demux.streams.find((s) => s.kind === this.kind);
          if (this.output?.kind === 'video' && this.output.width && this.output.height) this.sizes.announced(this.output.width, this.output.height);
          if (transcoder) this.host.transcode!.header(this.output?.extradata ?? new Uint8Array(0));
          this.host.announced();
        }
        if (transcoder) {
          for (const p of packets) {
            produced++;
            await this.host.transcode!.packet({ pts: to90k(p.pts, demux.streams[p.stream].timeBase), key: p.key, data: p.data });
          }
          continue;
        }
        for (const p of packets) {
          const stream = demux.streams[p.stream];
          if (stream.kind !== this.kind) continue;
          produced++;
          await this.host.frame(stream.kind === 'video' ? videoFrame(p, stream) : audioFrame(p, stream));
        }
      }
    } catch (caught) {
      if (child.stoppedByUs || this.closed) return;
      const err = caught instanceof NutFormatError ? new TrickleError('TRICKLE_BAD_MEDIA', `${this.kind} decoder output unreadable: ${caught.message}`, { cause: caught }) : caught;
      if (err instanceof TrickleError) {
        await child.close();
        throw err;
      }
      // A stream error: ffmpeg's exit status says more, if it comes within a moment.
      const exit = await Promise.race([child.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 2000).unref())]);
      const failure = exit && child.failure(exit, produced ? 'TRICKLE_FFMPEG_EXIT' : 'TRICKLE_BAD_MEDIA');
      await child.close();
      throw failure ?? new TrickleError('TRICKLE_FFMPEG_EXIT', `reading ffmpeg ${this.kind} decoder output failed: ${(err as Error).message}`, { cause: err });
    }
    const exit = await child.exited;
    if (child.stoppedByUs || this.closed) return;
    const failure = child.failure(exit, produced ? 'TRICKLE_FFMPEG_EXIT' : 'TRICKLE_BAD_MEDIA');
    if (failure) throw failure;
  }

  /** Stops every child (a failure elsewhere). */
  stop(): void {
    this.line.stop();
  }

  /** Kills every child (within ~2 s) and waits for their output to be done; idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.line.close();
  }
}
