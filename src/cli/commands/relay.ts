// `trickle relay`: runs the trickle relay server until a signal arrives.
import { Command } from 'commander';
import { createRelay, DEFAULT_MAX_SEGMENT_BYTES, DEFAULT_PORT } from '../../relay/index.js';
import { addCommonOptions, defineAction, withExamples } from '../command.js';
import { TrickleError } from '../../errors.js';

const DEVIATIONS = `
Semantics: go-livepeer's trickle_server.go (ring of 5 segments per channel, 470 vs
200 + Lp-Trickle-Closed, seq -1/-2, GET precreation, /next, DELETE of a channel or a
segment, Lp-Trickle-Reset, 100 Continue keep-alives on idle POSTs, idle sweep, _changes).

Deliberate deviations from go-livepeer:
  - a negative seq other than -1/-2 (and -2 on POST) is answered "400 Invalid idx"
    (go-livepeer aborts the connection)
  - a segment larger than --max-segment-bytes is refused with 413 + Connection: close,
    and the segment is closed so no subscriber hangs
  - a POST aborted mid-body closes its segment: readers get the bytes sent so far, then
    EOF (go-livepeer leaves them waiting); one that dies before its first byte leaves
    the segment open, as go-livepeer does, so the publisher can retry the same seq
  - while the retained segments of all channels hold more than --max-retained-bytes, a
    POST that would start a new segment is refused with 503 + Retry-After: 1 (segments
    being written go on; a new segment that evicts an old one counts what it frees)
  - autocreate is on by default (--no-autocreate to turn it off)

Idle channels are swept every min(60 s, idle-timeout/2).

Environment: TRICKLE_RELAY_HOST, TRICKLE_RELAY_PORT, TRICKLE_RELAY_PATH,
TRICKLE_RELAY_AUTOCREATE, TRICKLE_RELAY_CHANGEFEED, TRICKLE_RELAY_IDLE_TIMEOUT,
TRICKLE_RELAY_MAX_SEGMENT_BYTES, TRICKLE_RELAY_MAX_RETAINED_BYTES; config section "relay"
(host, port, path, autocreate, changefeed, idleTimeout, maxSegmentBytes, maxRetainedBytes).
`;

interface RelaySettings {
  host: string;
  port: number;
  path: string;
  autocreate: boolean;
  changefeed: boolean;
  idleTimeout: number;
  maxSegmentBytes: number;
  maxRetainedBytes?: number;
}

export function relayCommand(): Command {
  const cmd = new Command('relay')
    .description('run a trickle relay server (go-livepeer semantics)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default 3389; 0 picks a free one)')
    .option('--path <path>', 'base path of every channel (default /)')
    .option('--no-autocreate', 'only serve channels created with POST {path}{channel}')
    .option('--changefeed', 'publish channel additions/removals on the _changes channel')
    .option('--idle-timeout <seconds>', 'delete channels with no writes for this long (default 300)')
    .option('--max-segment-bytes <n>', 'refuse segments larger than this with 413 (default 268435456)')
    .option('--max-retained-bytes <n>', 'refuse new segments with 503 while all channels retain more than this (default: a quarter of memory)');
  addCommonOptions(cmd);
  cmd.addHelpText('after', DEVIATIONS);
  withExamples(cmd, 'trickle relay', 'trickle relay --port 0 --changefeed');
  return defineAction(cmd, 'relay', async (ctx) => {
    const s = ctx.settings<RelaySettings>([
      { key: 'host', type: 'string', env: ['TRICKLE_RELAY_HOST'], default: '127.0.0.1', flag: '--host' },
      { key: 'port', type: 'int', env: ['TRICKLE_RELAY_PORT'], default: DEFAULT_PORT, flag: '--port' },
      { key: 'path', type: 'string', env: ['TRICKLE_RELAY_PATH'], default: '/', flag: '--path' },
      { key: 'autocreate', type: 'boolean', env: ['TRICKLE_RELAY_AUTOCREATE'], default: true, flag: '--no-autocreate' },
      { key: 'changefeed', type: 'boolean', env: ['TRICKLE_RELAY_CHANGEFEED'], default: false, flag: '--changefeed' },
      { key: 'idleTimeout', type: 'number', env: ['TRICKLE_RELAY_IDLE_TIMEOUT'], default: 300, flag: '--idle-timeout' },
      { key: 'maxSegmentBytes', type: 'int', env: ['TRICKLE_RELAY_MAX_SEGMENT_BYTES'], default: DEFAULT_MAX_SEGMENT_BYTES, flag: '--max-segment-bytes' },
      { key: 'maxRetainedBytes', type: 'int', env: ['TRICKLE_RELAY_MAX_RETAINED_BYTES'], flag: '--max-retained-bytes' },
    ]);
    if (s.port < 0 || s.port > 65535) throw new TrickleError('TRICKLE_USAGE', `--port must be between 0 and 65535, got ${s.port}`);
    if (!(s.idleTimeout > 0)) throw new TrickleError('TRICKLE_USAGE', `--idle-timeout must be a positive number of seconds, got ${s.idleTimeout}`);
    if (!(s.maxSegmentBytes > 0)) throw new TrickleError('TRICKLE_USAGE', `--max-segment-bytes must be positive, got ${s.maxSegmentBytes}`);
    if (s.maxRetainedBytes !== undefined && !(s.maxRetainedBytes > 0)) throw new TrickleError('TRICKLE_USAGE', `--max-retained-bytes must be positive, got ${s.maxRetainedBytes}`);
    if (ctx.signal.aborted) return;
    const relay = await createRelay({
      host: s.host,
      port: s.port,
      path: s.path,
      autocreate: s.autocreate,
      changefeed: s.changefeed,
      idleTimeoutMs: s.idleTimeout * 1000,
      sweepIntervalMs: Math.min(60_000, Math.max(1000, (s.idleTimeout * 1000) / 2)),
      maxSegmentBytes: s.maxSegmentBytes,
      maxRetainedBytes: s.maxRetainedBytes,
      log: ctx.log,
    });
    // The one line scripts and tests parse the URL from (an NDJSON record under --log-format json).
    if (ctx.format === 'json') ctx.log.info(`trickle relay listening on ${relay.url}`, { url: relay.url });
    else process.stderr.write(`trickle relay listening on ${relay.url}\n`);
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await relay.close();
  });
}
