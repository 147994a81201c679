// Reads an ffmpeg child's NUT output from a unix socket straight into frame buffers.
//
// Why not stdout: Node reads a pipe in fresh 64 KiB buffers, which at 720p means 43 allocations
// and a copy into the frame for every frame (80 MB/s of garbage at 30 fps, and the full
// collections that external memory pressure then triggers). A socket we connect to ourselves
// can be given `onread` buffers: each read lands in the frame being assembled, in place.
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unlink } from 'node:fs/promises';
import type { NutDemuxer, NutPacket } from './nut/demuxer.js';

let counter = 0;

/** A fresh socket path for one child (ffmpeg listens there: `-listen 1 unix:PATH`). */
export function nutSocketPath(): string {
  return path.join(tmpdir(), `trickle-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}.sock`);
}

/** Batches of packets as reads complete them; ends at the socket's end, throws on a read or format error. */
export class NutSocketReader implements AsyncIterable<NutPacket[]> {
  private socket?: net.Socket;
  private readonly batches: NutPacket[][] = [];
  private done = false;
  private error?: Error;
  private wake?: () => void;

  /** Settles once connected (rejects with the last connect error if ffmpeg was gone first). */
  readonly connected: Promise<void>;
  private armed!: () => void;
  private readonly fed = new Promise<void>((resolve) => (this.armed = resolve));

  /** Connects once arm() says ffmpeg has its input; ffmpeg waits for us before it decodes any. */
  constructor(
    readonly socketPath: string,
    readonly demuxer: NutDemuxer,
    gone: Promise<unknown>,
  ) {
    this.connected = this.connect(gone);
    this.connected.catch(() => undefined); // reported by the iterator
  }

  /**
   * ffmpeg was given its input: it creates the socket once it has read the input's header, so
   * only from now on is there something to connect to (a spare may wait for input a long time).
   */
  arm(): void {
    this.armed();
  }

  /** Retries from arm() until ffmpeg listens; gives up once `gone` settles or `timeoutMs` after arm(). */
  private async connect(gone: Promise<unknown>, timeoutMs = 30_000): Promise<void> {
    let over = false;
    const ended = gone.then(
      () => (over = true),
      () => (over = true),
    );
    await Promise.race([this.fed, ended]);
    if (over) throw new Error(`ffmpeg exited before it listened on ${this.socketPath}`);
    const since = Date.now();
    for (;;) {
      try {
        this.socket = await this.attempt();
        break;
      } catch (err) {
        // A busy machine can take seconds to start ffmpeg: keep trying (quickly at first), bounded.
        if (over || Date.now() - since > timeoutMs) throw err;
        await new Promise((r) => setTimeout(r, Date.now() - since < 1000 ? 5 : 50));
      }
    }
    // Connected: the name is no longer needed (and nothing is left behind should we crash).
    void unlink(this.socketPath).catch(() => undefined);
  }

  private attempt(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ path: this.socketPath, onread: { buffer: () => this.demuxer.nextBuffer(), callback: (n) => this.onRead(n) } });
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        s.on('error', (err) => this.finish(err));
        s.on('end', () => this.finish());
        s.on('close', () => this.finish());
        resolve(s);
      });
    });
  }

  /** Returns false (pausing the socket) while parsed packets wait for the reader: backpressure on ffmpeg. */
  private onRead(n: number): boolean {
    try {
      const packets = this.demuxer.commit(n);
      if (packets.length > 0) this.batches.push(packets);
    } catch (err) {
      this.finish(err as Error);
      this.socket?.destroy();
      return false;
    }
    this.poke();
    return this.batches.length === 0;
  }

  private finish(err?: Error): void {
    this.error ??= err;
    this.done = true;
    this.poke();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<NutPacket[]> {
    await this.connected;
    for (;;) {
      const batch = this.batches.shift();
      if (batch) {
        yield batch;
        continue;
      }
      if (this.error) throw this.error;
      if (this.done) return;
      const waiting = new Promise<void>((r) => (this.wake = r));
      this.socket?.resume();
      await waiting;
    }
  }

  /** Drops the connection (and the socket file, if never connected). */
  close(): void {
    this.socket?.destroy();
    void unlink(this.socketPath).catch(() => undefined);
  }
}
