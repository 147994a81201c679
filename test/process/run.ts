// Drives one `trickle process` child against a relay: publish a clip into `in`, capture `out` (and extra channels).
import type { ResultPromise } from 'execa';
import { spawnCli } from '../helpers/cli.js';
import { captureJson, captureSegments, publishFile } from './media.js';
import { waitForStderr } from '../publish-subscribe/waiting.js';

export interface ProcessRun {
  exitCode: number;
  stderr: string;
  /** Output segments, each captured separately. */
  segments: Buffer[];
  output: Buffer;
  events: unknown[];
}

export interface ProcessRunOptions {
  relayUrl: string;
  /** Unique channel prefix for this run. */
  name: string;
  clip: string;
  processor: string;
  args?: string[];
  re?: boolean;
  /** Publish at this many times real time (instead of re). */
  readrate?: number;
  withEvents?: boolean;
  /** Runs while the stream is live (e.g. publish control messages, kill a child of the process). */
  during?: (run: { control: string; events: string; data: string; out: string; pid: number }) => Promise<void>;
  timeoutMs?: number;
  /** Extra environment of the process child (fixture switches). */
  env?: Record<string, string>;
}

/** Starts process (waiting for its input), publishes the clip, and collects everything until process exits. */
export async function runProcessOnClip(o: ProcessRunOptions): Promise<ProcessRun> {
  const url = (c: string) => `${o.relayUrl}${o.name}-${c}`;
  // What `during` gets: the channels, and the process's pid once it runs.
  const urls = { control: url('control'), events: url('events'), data: url('data'), out: url('out'), pid: 0 };
  const args = ['process', '--in', url('in'), '--out', url('out'), '--processor', o.processor, '--wait', ...(o.args ?? [])];
  if (o.withEvents) args.push('--events', urls.events);
  const child: ResultPromise = spawnCli(args, { timeout: o.timeoutMs ?? 120_000, env: { NO_COLOR: '1', TRICKLE_EVENT_INTERVAL_MS: '1000', ...o.env } });
  const eventsAbort = new AbortController();
  const outAbort = new AbortController();
  urls.pid = child.pid!;
  try {
    // A run that fails at once may create and delete its output channel between two polls.
    // Its error is kept (not left as a rejected promise while the run goes on) and raised when read;
    // a channel that was gone before it was read ends the capture with no segments.
    const out = captureSegments(url('out'), { signal: outAbort.signal }).catch((err: unknown) => {
      if (outAbort.signal.aborted || (err as { code?: string }).code === 'TRICKLE_STREAM_NOT_FOUND') return [];
      return err instanceof Error ? err : new Error(String(err));
    });
    const events = o.withEvents ? captureJson(urls.events, eventsAbort.signal) : Promise.resolve([]);
    const during = o.during?.(urls);
    // Publish once the pipeline is up and waiting for its input: on a busy machine its start-up can
    // otherwise outlast a short clip, which is then gone (published and deleted) before it is read.
    await waitForStderr(child, /processing|error/, 60_000).catch(() => undefined);
    await publishFile(url('in'), o.clip, { re: o.re ?? true, readrate: o.readrate });
    const r = await child;
    await during;
    const giveUp = setTimeout(() => outAbort.abort(), 3000);
    const captured = await out;
    clearTimeout(giveUp);
    if (captured instanceof Error) throw captured;
    const segments = captured;
    setTimeout(() => eventsAbort.abort(), 3000).unref();
    return { exitCode: r.exitCode ?? -1, stderr: String(r.stderr), segments, output: Buffer.concat(segments), events: await events };
  } finally {
    child.kill();
    eventsAbort.abort();
    outAbort.abort();
  }
}
