// One stream kind's encoder (video or audio): frames into its ffmpeg line as NUT, encoded packets out, in order.
//
// A child that died and was replaced under the stream's restart budget is followed by a fresh
// one for the same stream, from the frame its death interrupted: its first frame is an IDR (the
// keyframe rule starts every child with one), so the output's next segment decodes on its own.
import { TrickleError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { FfmpegChild } from './ffmpeg-child.js';
import { FfmpegLine } from './ffmpeg-line.js';
import { NutDemuxer, NutFormatError } from './nut/demuxer.js';
import { NutMuxer, type NutMuxStream } from './nut/muxer.js';
import { to90k } from './nut-frames.js';
import type { RestartBudget } from './restart-budget.js';

/** One encoded packet, pts in 90 kHz. */
export interface EncodedPacket {
  pts: number;
  key: boolean;
  data: Uint8Array;
}

export interface EncoderTrackHooks<V> {
  kind: 'video' | 'audio';
  log: Logger;
  /** Starts a child; `variant` names arguments that differ between children. */
  spawn(variant: V): FfmpegChild;
  /** Subtracted from every packet's pts (an offset the child's arguments added). */
  ptsOffset: number;
  /** The codec's global header (SPS/PPS, AudioSpecificConfig), once per child. */
  header(extradata: Uint8Array): void;
  /** One packet, in output order; resolves when there is room for more. */
  packet(p: EncodedPacket): Promise<void>;
  /** A child failed beyond the restart budget: the encoder's output ends with `err`. */
  failed(err: Error): void;
  /** The stream's restart budget (none: the first death fails the track). */
  restarts?: RestartBudget;
}

/** Frames of one stream kind into ffmpeg children, a new child whenever the stream changes in a way NUT cannot carry. */
export class EncoderTrack<S extends NutMuxStream, V = undefined> {
  /** The stream the current child encodes; undefined while none runs. */
  stream?: S;
  /** Of the last frame the current child took. */
  lastPts?: number;
  private nut?: NutMuxer;
  private variant?: V;
  private readonly line: FfmpegLine<V>;

  constructor(private readonly hooks: EncoderTrackHooks<V>) {
    this.line = new FfmpegLine<V>({ spawn: (v) => hooks.spawn(v), pump: (child) => this.pump(child), failed: hooks.failed }, hooks.restarts);
  }

  /** Children that took frames so far. */
  get started(): number {
    return this.line.started;
  }

  /** Starts a child ahead of the first frame, so ffmpeg's start-up overlaps the decoder's. */
  warm(variant: V): void {
    this.line.warm(variant);
  }

  /** Stops the spare child; resolves once it is gone. */
  dropSpare(): Promise<void> {
    return this.line.dropSpare();
  }

  /** Gives frames of `stream` a child from now on (the current one must have been finished). */
  open(stream: S, variant: V): void {
    this.stream = stream;
    this.variant = variant;
    this.lastPts = undefined;
    this.startChild();
  }

  /** A child for the current stream, which reads the NUT header first. */
  private startChild(): FfmpegChild {
    this.nut = new NutMuxer([this.stream!]);
    return this.line.start(this.variant as V, this.nut.header());
  }

  /**
   * Writes one frame (pts in whole 90 kHz ticks); resolves once the OS has the bytes, so the
   * caller may reuse `data` (processors do). A child that died under it and was replaced is
   * followed by a fresh one, which takes this frame.
   */
  async write(pts: number, data: Uint8Array): Promise<void> {
    for (;;) {
      const child = this.line.child ?? this.startChild();
      try {
        return await child.write([this.nut!.frameHeader(0, pts, data.length), data]);
      } catch (err) {
        this.line.lost(child, err as Error);
      }
    }
  }

  /** Ends the current child's input and waits until its output is out; rejects with its failure. */
  async finish(): Promise<void> {
    if (!this.stream) return;
    await this.line.finish();
    this.stream = undefined;
  }

  /** Kills every child (within ~2 s); idempotent. */
  async close(): Promise<void> {
    this.stream = undefined;
    await this.line.close();
  }

  /** Hands one child's packets on, then checks how it exited. */
  private async pump(child: FfmpegChild): Promise<void> {
    const demux = new NutDemuxer();
    let headerTaken = false;
    try {
      for await (const chunk of child.stdout) {
        const packets = demux.push(chunk as Uint8Array);
        if (!headerTaken && demux.ready) {
          headerTaken = true;
          this.hooks.header(demux.streams[0].extradata);
        }
        for (const p of packets) {
          await this.hooks.packet({ pts: to90k(p.pts, demux.streams[p.stream].timeBase) - this.hooks.ptsOffset, key: p.key, data: p.data });
        }
      }
    } catch (err) {
      if (!child.stoppedByUs && err instanceof NutFormatError) {
        // Bytes we cannot read from our own encoder: stop it and say so.
        await child.close();
        throw new TrickleError('TRICKLE_FFMPEG_EXIT', `reading the ffmpeg ${this.hooks.kind} encoder's output failed: ${err.message}`, { cause: err });
      }
      if (!child.stoppedByUs) this.hooks.log.debug('encoder output error', { error: (err as Error).message });
    }
    const failure = child.failure(await child.exited);
    if (failure) throw failure;
  }
}
