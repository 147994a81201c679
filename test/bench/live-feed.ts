// A live source for benchmarks: a file published in real time, each packet sent as read, with the moment each video PES left.
import { execa } from 'execa';
import { instrumentPublisher } from '../../src/pipeline/output-tap.js';
import { Publisher } from '../../src/trickle/publisher.js';
import { publishTs } from '../../src/trickle/ts-publish.js';

/** Feeds `file` into channel `url` (paced with `re`), calling onPts(pts, ms) as each video PES is accepted. */
export async function feed(url: string, file: string, re: boolean, onPts?: (pts: number, at: number) => void): Promise<number> {
  // Each packet leaves as soon as it is read (a live source): with ffmpeg's default interleaving the
  // feed would hold video until the next audio PES (~0.3 s bursts), measuring the feed, not the pipeline.
  const live = ['-max_interleave_delta', '1', '-flush_packets', '1'];
  const ff = execa('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...(re ? ['-re'] : []), '-i', file, '-map', '0', '-c', 'copy', ...live, '-f', 'mpegts', 'pipe:1'], {
    buffer: false,
    encoding: 'buffer',
    reject: false,
  });
  // Not deleted at the end: a DELETE would drop segments the pipeline has not read yet.
  const raw = new Publisher({ url, deleteOnClose: false });
  let last = -1;
  const pub = instrumentPublisher(raw, {
    onFirstWrite() {},
    onSegment() {},
    onPts: (p) => {
      last = Math.max(last, p);
      onPts?.(p, performance.now());
    },
  });
  try {
    await publishTs(ff.stdout as AsyncIterable<Uint8Array>, pub);
    await ff;
  } finally {
    ff.kill();
    await raw.close();
  }
  return last;
}

