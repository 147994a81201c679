// The size a stream's video decoder children output when the input's size changes (media.resize): fixed, the first one's, or each one's own.
import type { DecodeSize } from './decoder-args.js';
import { sequenceParameterSet } from './ts/nal.js';
import type { PesPacket } from './ts/demuxer.js';

export type ResizeMode = 'first' | 'follow';

/**
 * One per video track. With a fixed size every child scales to it. With `first` a child keeps
 * the frames at its input's size and ffmpeg scales later sizes to that one itself; a child that
 * starts later in the stream is told that first size. With `follow` a keyframe whose sequence
 * parameter set differs from the last one starts a new child, which outputs the new size.
 */
export class DecodeSizes {
  private first?: DecodeSize;
  private sps?: Uint8Array;
  private settle!: () => void;
  /** Settles once a child started now gets the right size: at once, or (first) when the first size is known. */
  readonly known: Promise<void>;

  constructor(
    private readonly size: DecodeSize,
    private readonly mode: ResizeMode,
  ) {
    this.known = new Promise((resolve) => (this.settle = resolve));
    if (size.width || mode === 'follow') this.settle();
  }

  /** What a child started now scales to. */
  forChild(): DecodeSize {
    return this.size.width ? this.size : (this.first ?? {});
  }

  /** A child announced its output size (the first one's is kept, with `first`). */
  announced(width: number, height: number): void {
    if (this.mode === 'first' && !this.size.width) this.first ??= { width, height, stretch: true };
    this.settle();
  }

  /** A child's output ended, announced or not: nothing is to be waited for any more. */
  ended(): void {
    this.settle();
  }

  /** With `follow`: true when this keyframe's sequence parameter set differs from the previous keyframe's. */
  changed(pes: PesPacket): boolean {
    if (this.mode !== 'follow' || this.size.width) return false;
    const sps = sequenceParameterSet(pes.data, pes.stream.codec);
    if (!sps) return false;
    const changed = this.sps !== undefined && Buffer.compare(this.sps, sps) !== 0;
    this.sps = sps.slice();
    return changed;
  }
}
