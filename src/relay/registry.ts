// The relay's channel map: creation, removal, the `_changes` feed and the idle sweep.
import { Channel } from './channel.js';
import type { RetainedBytes } from './retained.js';

export const CHANGEFEED = '_changes';

export interface RegistryOptions {
  changefeed: boolean;
  idleTimeoutMs: number;
  /** Counts the bytes every channel retains. */
  retained?: RetainedBytes;
}

export class ChannelRegistry {
  private readonly channels = new Map<string, Channel>();

  constructor(private readonly options: RegistryOptions) {
    if (options.changefeed) this.create(CHANGEFEED, 'application/json');
  }

  get(name: string): Channel | undefined {
    return this.channels.get(name);
  }

  /** Returns the channel, creating it with `mimeType` when missing (the MIME is never updated later). */
  getOrCreate(name: string, mimeType: string): Channel {
    return this.channels.get(name) ?? this.create(name, mimeType);
  }

  /** DELETE / sweep: closes every segment (readers and preconnected POSTs are released) and forgets the name. */
  remove(name: string): boolean {
    const channel = this.channels.get(name);
    if (!channel) return false;
    channel.close();
    this.channels.delete(name);
    this.announce({ removed: [name] });
    return true;
  }

  /** Deletes channels (not `_`-prefixed) whose last write is older than the idle timeout; returns their names. */
  sweep(now = Date.now()): string[] {
    const idle = [...this.channels.values()]
      .filter((c) => !c.name.startsWith('_') && now - c.writeTime > this.options.idleTimeoutMs)
      .map((c) => c.name);
    for (const name of idle) this.remove(name);
    return idle;
  }

  /** Shutdown: closes everything without changefeed messages. */
  closeAll(): void {
    for (const channel of this.channels.values()) channel.close();
    this.channels.clear();
  }

  private create(name: string, mimeType: string): Channel {
    const channel = new Channel(name, mimeType, Date.now(), this.options.retained);
    this.channels.set(name, channel);
    this.announce({ added: [name] });
    return channel;
  }

  /** Appends one complete segment to `name` at its next seq, as if a publisher had POSTed it. */
  writeSegment(name: string, bytes: Uint8Array): boolean {
    const channel = this.channels.get(name);
    if (!channel || channel.closed) return false;
    const seq = channel.nextWrite;
    const segment = channel.getForWrite(seq);
    channel.markWritten(seq);
    if (bytes.length > 0) segment.append(Buffer.from(bytes));
    segment.close();
    return true;
  }

  private announce(change: { added?: string[]; removed?: string[] }): void {
    if (this.options.changefeed) this.writeSegment(CHANGEFEED, Buffer.from(JSON.stringify(change)));
  }
}
