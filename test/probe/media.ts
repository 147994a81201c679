// Media and channel helpers for the probe tests: clips cut into segments, raw segment POSTs, a stderr watcher for CLI children.
import { readFile } from 'node:fs/promises';
import type { ResultPromise } from 'execa';
import { TsSegmenter } from '../../src/media/ts/segmenter.js';
import { ffmpeg } from '../helpers/media-gen.js';

/** A file's MPEG-TS cut at video keyframes into standalone segments (what a publisher posts). */
export async function cutSegments(file: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  let parts: Buffer[] = [];
  const seg = new TsSegmenter({
    onSegmentStart: () => (parts = []),
    onData: (b) => parts.push(Buffer.from(b)),
    onSegmentEnd: () => out.push(Buffer.concat(parts)),
  });
  seg.push(await readFile(file));
  seg.end();
  return out;
}

/** Writes, from `long` (a clip with one keyframe), a standalone MPEG-TS that starts mid-GOP at `seconds`. */
export async function midGop(long: string, out: string, seconds: number): Promise<void> {
  // -copyinkf keeps the frames before the next keyframe, which stream copy would otherwise drop.
  await ffmpeg(['-ss', String(seconds), '-i', long, '-c', 'copy', '-copyinkf', '-f', 'mpegts', out]);
}

/** POSTs one whole segment at `seq` (the relay creates the channel on the first one). */
export async function post(url: string, seq: number, body: Uint8Array | string): Promise<void> {
  const res = await fetch(`${url}/${seq}`, { method: 'POST', body });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`POST ${url}/${seq}: ${res.status}`);
}

/** One PyTrickle-style events message. */
export function envelope(event: Record<string, unknown>): string {
  return JSON.stringify({ event, queue_event_type: event.type === 'heartbeat' ? 'stream_heartbeat' : 'ai_stream_events' });
}

/** Collects a child's stderr from the start; `waitFor` resolves once it matches (rejects after `ms`). */
export function watchStderr(child: ResultPromise): { text(): string; waitFor(pattern: RegExp, ms?: number): Promise<void> } {
  let text = '';
  const listeners = new Set<() => void>();
  child.stderr!.on('data', (b: Buffer) => {
    text += b.toString();
    for (const l of listeners) l();
  });
  return {
    text: () => text,
    waitFor: (pattern, ms = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!pattern.test(text)) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`stderr never matched ${pattern}; got:\n${text}`));
        }, ms);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      }),
  };
}
