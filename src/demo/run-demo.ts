// `trickle demo`'s core: embedded relay + generated test pattern + one pipeline + output capture + check.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { FieldError, isTrickleError, TrickleError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { spawnFfmpeg } from '../media/ffmpeg.js';
import { createPipeline } from '../pipeline/pipeline.js';
import type { PipelineStats } from '../pipeline/types.js';
import { waitForChannel } from '../pipeline/wait-channel.js';
import { createRelay } from '../relay/index.js';
import { prepareStream } from '../stream/prepare.js';
import { Publisher } from '../trickle/publisher.js';
import { Subscriber } from '../trickle/subscriber.js';
import { publishTs } from '../trickle/ts-publish.js';
import { checkDemoOutput, type OutputCheck } from './check-output.js';
import { probeChannel } from '../probe/probe.js';
import type { ProbeReport } from '../probe/types.js';

export interface DemoOptions {
  processor?: string;
  output?: string;
  /** Seconds of generated input (default 6). */
  duration?: number;
  width?: number;
  height?: number;
  fps?: number;
  ffmpegPath?: string;
  cwd?: string;
  log?: Logger;
  signal?: AbortSignal;
  /** Live progress while the demo runs. */
  onStats?: (stats: PipelineStats) => void;
}

export interface DemoResult {
  file: string;
  relayUrl: string;
  processor: string;
  stats: PipelineStats;
  bytes: number;
  check: OutputCheck;
  /** What `trickle probe` found on the output channel (every segment judged alone). */
  probe: ProbeReport;
  ok: boolean;
}

/** Runs the whole demo; resolves with what it measured (ok false when the output did not decode or show the effect). */
export async function runDemo(opts: DemoOptions = {}): Promise<DemoResult> {
  const log = opts.log ?? silentLogger;
  const processorSpec = opts.processor ?? 'red-tint';
  const file = path.resolve(opts.cwd ?? process.cwd(), opts.output ?? 'demo-output.ts');
  const { width = 640, height = 360, fps = 30 } = opts;
  const duration = opts.duration ?? 6;
  if (!(duration > 0 && duration <= 600)) {
    throw new FieldError('TRICKLE_USAGE', ['duration'], ([f]) => `${f} must be between 0 and 600 seconds, got ${duration}`);
  }
  const signal = opts.signal ?? new AbortController().signal;
  const prepared = await prepareStream({ processor: processorSpec }, { ffmpegPath: opts.ffmpegPath, cwd: opts.cwd, log, signal });
  const { ffmpeg, processor: def, params } = prepared;
  await prepared.startLoad();

  const relay = await createRelay({ port: 0, log });
  const pattern = `testsrc2=size=${width}x${height}:rate=${fps}`;
  const source = spawnFfmpeg(
    ['-loglevel', 'error', '-re', '-f', 'lavfi', '-i', `${pattern}:duration=${duration}`, '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${duration}`,
      '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-bf', '0', '-g', String(fps), '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', '-f', 'mpegts', 'pipe:1'],
    { ffmpeg, stdin: 'ignore', signal },
  );
  source.catch(() => undefined);
  const pipeline = createPipeline({
    input: relay.channelUrl('in'),
    output: relay.channelUrl('out'),
    processor: def,
    params,
    media: prepared.spec.media,
    device: prepared.spec.device,
    ffmpeg,
    log,
    signal,
    waitForInput: true,
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await pipeline.start();
    if (opts.onStats) timer = setInterval(() => opts.onStats!(pipeline.stats()), 500);
    const capture = captureTo(relay.channelUrl('out'), file, signal);
    // The verdict is trickle probe's: every output segment decodes alone, starts with a keyframe,
    // carries audio and the input's size; then the colour shows the processor's effect.
    const probing = probeChannel({
      url: relay.channelUrl('out'),
      start: 0,
      segments: 100_000,
      timeoutSeconds: duration + 120,
      waitForChannel: true,
      expect: ['decodes', 'keyframes', 'audio', `resolution=${width}x${height}`],
      ffmpegPath: opts.ffmpegPath,
      signal,
    });
    probing.catch(() => undefined);
    const input = new Publisher({ url: relay.channelUrl('in'), log });
    try {
      await publishTs(source.stdout! as AsyncIterable<Uint8Array>, input, { signal, log });
    } finally {
      await input.close(); // end of stream on `in`: the pipeline drains and ends `out`
    }
    const result = await pipeline.done;
    if (result.reason === 'error') throw result.error ?? new TrickleError('TRICKLE_INTERNAL', 'demo pipeline failed');
    const [bytes, probe] = await Promise.all([capture, probing]);
    const stats = pipeline.stats();
    if (signal.aborted) throw new TrickleError('TRICKLE_ABORTED', 'demo interrupted');
    const check = await checkDemoOutput({ ffmpeg, output: probe.summary.meanColor, frames: probe.summary.decodedFrames, pattern, processor: def.name ?? processorSpec });
    return { file, relayUrl: relay.url, processor: def.name ?? processorSpec, stats, bytes, check, probe, ok: probe.ok && check.effect };
  } finally {
    if (timer) clearInterval(timer);
    source.kill();
    await pipeline.stop();
    await relay.close();
  }
}

/** Writes every segment of `url` into `file` until end of stream; resolves with the byte count. */
async function captureTo(url: string, file: string, signal: AbortSignal): Promise<number> {
  const out = createWriteStream(file);
  let bytes = 0;
  try {
    if (!(await waitForChannel(url, { signal }))) return 0;
    const sub = new Subscriber({ url, start: 0, signal });
    try {
      for (;;) {
        const seg = await sub.next();
        if (!seg) break;
        for await (const chunk of seg.body as AsyncIterable<Buffer>) {
          bytes += chunk.length;
          if (!out.write(chunk)) await once(out, 'drain');
        }
      }
    } catch (err) {
      // The relay may report the deleted channel as gone instead of closed: that is the end too.
      if (!(isTrickleError(err, 'TRICKLE_STREAM_NOT_FOUND') && bytes > 0)) throw err;
    } finally {
      await sub.close();
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return bytes;
}
