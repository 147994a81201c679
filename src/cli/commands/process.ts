// `trickle process`: subscribe, decode, run a processor on every frame, encode, publish.
import { Command } from 'commander';
import { runProcess } from '../../pipeline/run-process.js';
import type { PipelineStats } from '../../pipeline/types.js';
import { addCommonOptions, defineAction, withExamples, type CommandContext } from '../command.js';
import { eventIntervals } from '../event-intervals.js';
import { EXIT } from '../exit-codes.js';
import { addLimitOptions, limitSettingSpecs, limitsFromSettings } from '../limit-options.js';
import { addMediaOptions, mediaFromSettings, mediaSettingSpecs } from '../media-options.js';
import { addOperatorOptions, loadingMode, metricsPort, operatorSettingSpecs, type OperatorSettings } from '../operator-options.js';
import { parseParamFlags } from '../param-flags.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The flags `process` reads itself; the media settings come from the settings table. */
interface ProcessSettings extends OperatorSettings {
  in?: string;
  out?: string;
  processor?: string;
  param?: unknown;
  params?: object;
  control?: string;
  events?: string;
  data?: string;
  device: string;
  ffmpeg?: string;
  statsInterval?: number;
  wait: boolean;
}

/** p50/p95 ms of each stage a frame passes from its arrival to the relay. */
function stagesText(s: PipelineStats): string {
  const st = s.stages;
  const pair = (name: 'decode' | 'queue' | 'processor' | 'encode' | 'publish') => `${name} ${Math.round(st[name].p50)}/${Math.round(st[name].p95)}`;
  return `${pair('decode')} · ${pair('queue')} · ${pair('processor')} · ${pair('encode')} · ${pair('publish')} ms p50/p95`;
}

function statsLine(s: PipelineStats): string {
  return `${s.health} · in ${s.inputFps.toFixed(1)} fps · out ${s.outputFps.toFixed(1)} fps · frames ${s.framesOut}/${s.framesIn} · dropped ${s.framesDropped} · errors ${s.framesErrored} · latency ${Math.round(s.latencyMs)} ms (${stagesText(s)})`;
}

/** The live line on a terminal: state, fps, latency, drops. */
function liveLine(s: PipelineStats): string {
  return `${s.health} · ${s.outputFps.toFixed(1)}/${s.inputFps.toFixed(1)} fps · latency ${Math.round(s.latencyMs)} ms · dropped ${s.framesDropped} · errors ${s.framesErrored}`;
}

/** NDJSON lines with --stats-interval; else a live status line on an interactive terminal (nothing elsewhere). */
function statsPrinter(ctx: CommandContext, intervalS: number | undefined): { print?: (s: PipelineStats) => void; end(): void } {
  if (intervalS && intervalS > 0) {
    return { print: (s) => process.stderr.write(JSON.stringify({ type: 'stats', time: new Date().toISOString(), ...s }) + '\n'), end() {} };
  }
  if (!ctx.interactive) return { end() {} };
  const live = ctx.live('LOADING · starting');
  return { print: (s) => live.update(liveLine(s)), end: () => live.stop() };
}

export function processCommand(): Command {
  const cmd = new Command('process')
    .description('run one processing pipeline: subscribe, decode, process, encode, publish')
    .option('--in <url>', 'input channel URL')
    .option('--out <url>', 'output channel URL')
    .option('--processor <name|path>', 'built-in processor name, module path or package name')
    .option('--param <key=value>', 'processor parameter (repeatable)', collect)
    .option('--params <json>', 'processor parameters as a JSON object')
    .option('--control <url>', 'control channel to read live parameter updates from')
    .option('--events <url>', 'events channel to publish monitoring events to')
    .option('--data <url>', 'data channel for text output from the processor');
  addOperatorOptions(addLimitOptions(addMediaOptions(cmd, 'process')), 'process')
    .option('--device <device>', 'auto, cpu or cuda[:N] for model processors')
    .option('--ffmpeg <path>', 'ffmpeg binary to use')
    .option('--stats-interval <seconds>', 'print NDJSON stats lines on stderr every S seconds')
    .option('--wait', 'wait for the input channel to appear instead of exiting 3');
  addCommonOptions(cmd);
  withExamples(
    cmd,
    'trickle process --in http://127.0.0.1:3389/in --out http://127.0.0.1:3389/out --processor red-tint --param intensity=0.5',
    'trickle process --in $IN --out $OUT --processor ./my-processor.js --control $CONTROL --events $EVENTS --stats-interval 5',
  );
  return defineAction(cmd, 'process', async (ctx) => {
    const s = ctx.settings<ProcessSettings>([
      { key: 'in', type: 'string', env: ['TRICKLE_IN'], flag: '--in' },
      { key: 'out', type: 'string', env: ['TRICKLE_OUT'], flag: '--out' },
      { key: 'processor', type: 'string', env: ['TRICKLE_PROCESSOR'], flag: '--processor' },
      { key: 'param', type: 'json', flag: '--param' },
      { key: 'params', type: 'json', env: ['TRICKLE_PARAMS'], flag: '--params' },
      { key: 'control', type: 'string', env: ['TRICKLE_CONTROL'], flag: '--control' },
      { key: 'events', type: 'string', env: ['TRICKLE_EVENTS'], flag: '--events' },
      { key: 'data', type: 'string', env: ['TRICKLE_DATA'], flag: '--data' },
      ...mediaSettingSpecs('process'),
      ...limitSettingSpecs(),
      ...operatorSettingSpecs('process'),
      { key: 'device', type: 'string', env: ['TRICKLE_DEVICE'], flag: '--device', default: 'auto' },
      { key: 'ffmpeg', type: 'string', env: ['TRICKLE_FFMPEG'], flag: '--ffmpeg' },
      { key: 'statsInterval', type: 'number', env: ['TRICKLE_STATS_INTERVAL'], flag: '--stats-interval' },
      { key: 'wait', type: 'boolean', env: ['TRICKLE_WAIT'], flag: '--wait', default: false },
    ]);
    const loading = loadingMode(s);
    const port = metricsPort(s);
    const printer = statsPrinter(ctx, s.statsInterval);
    const result = await runProcess({
      spec: {
        urls: { input: s.in, output: s.out, control: s.control, events: s.events, data: s.data },
        processor: s.processor,
        params: { values: s.params, text: parseParamFlags(Array.isArray(s.param) ? s.param.map(String) : undefined) },
        device: s.device,
        media: mediaFromSettings(s, 'process'),
        limits: limitsFromSettings(s),
      },
      ffmpegPath: s.ffmpeg,
      waitForInput: s.wait,
      env: ctx.env,
      log: ctx.log,
      signal: ctx.signal,
      onStats: printer.print,
      statsIntervalMs: s.statsInterval && s.statsInterval > 0 ? s.statsInterval * 1000 : 500,
      internal: eventIntervals(ctx.env),
      loading,
      metricsPort: port,
      onMetricsUrl: (url) => ctx.log.info(`metrics on ${url}`, { url }),
    }).finally(() => printer.end());
    ctx.log.info(`${result.reason === 'input-ended' ? 'input ended' : 'stopped'}: ${statsLine(result.stats)}`);
    return EXIT.ok;
  });
}
