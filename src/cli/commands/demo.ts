// `trickle demo`: the main job end to end on embedded defaults.
import { Command } from 'commander';
import chalk, { Chalk } from 'chalk';
import { runDemo } from '../../demo/run-demo.js';
import { addCommonOptions, defineAction, withExamples } from '../command.js';
import { EXIT } from '../exit-codes.js';

export function demoCommand(): Command {
  const cmd = new Command('demo')
    .description('run relay + publish + process + subscribe on a generated test pattern')
    .option('--processor <name|path>', 'processor to run (default red-tint)')
    .option('-o, --output <file>', 'where to write the processed stream (default demo-output.ts)')
    .option('--duration <seconds>', 'length of the generated input (default 6)')
    .option('--ffmpeg <path>', 'ffmpeg binary to use');
  addCommonOptions(cmd);
  withExamples(cmd, 'trickle demo', 'trickle demo --processor grayscale -o gray.ts');
  return defineAction(cmd, 'demo', async (ctx) => {
    const s = ctx.settings<{ processor: string; output: string; duration: number; ffmpeg?: string }>([
      { key: 'processor', type: 'string', env: ['TRICKLE_PROCESSOR'], flag: '--processor', default: 'red-tint' },
      { key: 'output', type: 'string', flag: '--output', default: 'demo-output.ts' },
      { key: 'duration', type: 'number', flag: '--duration', default: 6 },
      { key: 'ffmpeg', type: 'string', env: ['TRICKLE_FFMPEG'], flag: '--ffmpeg' },
    ]);
    const c = ctx.color ? chalk : new Chalk({ level: 0 });
    ctx.log.info(`demo: relay + ${s.duration} s test pattern with a tone → ${s.processor} → ${s.output}`);
    const live = ctx.live(`starting: relay, test pattern, ${s.processor}`);
    const onStats = (st: { framesIn: number; framesOut: number; outputFps: number; latencyMs: number }) =>
      live.update(`processing: frames ${st.framesOut}/${st.framesIn} · ${st.outputFps.toFixed(1)} fps · latency ${Math.round(st.latencyMs)} ms`);
    const r = await runDemo({ processor: s.processor, output: s.output, duration: s.duration, ffmpegPath: s.ffmpeg, log: ctx.log, signal: ctx.signal, onStats });
    live.stop();
    const st = r.stats;
    const sum = r.probe.summary;
    const failed = r.probe.expectations.filter((e) => !e.ok).map((e) => `${e.expectation} (${e.actual})`);
    const fps = (n: number) => n.toFixed(1);
    const lines = [
      `processor   ${r.processor}`,
      `frames      ${st.framesIn} in → ${st.framesOut} out (${st.framesDropped} dropped, ${st.framesErrored} errors)`,
      `fps         in ${fps(st.inputFps)} · out ${fps(st.outputFps)}`,
      `latency     ${Math.round(st.latencyMs)} ms median (decoded frame → encoded bytes at the relay)`,
      `output      ${r.file} (${(r.bytes / 1024).toFixed(0)} KiB, ${st.segmentsOut} segments, ${r.check.frames} frames checked)`,
      `probe       ${sum.segments} segments: ${sum.decodes ? 'each decodes alone' : 'NOT all decode'}, ${sum.keyframes ? 'each starts with a keyframe' : 'NOT all start with a keyframe'}, ${sum.resolution ?? '?'} @ ${sum.fps?.toFixed(1) ?? '?'} fps, audio ${sum.audio ? `${sum.audio.codec} ${sum.audio.channels ?? '?'}ch` : 'none'}${failed.length ? c.red(` — failed: ${failed.join(', ')}`) : ''}`,
      `colour      input R${fps(r.check.input.r)} G${fps(r.check.input.g)} B${fps(r.check.input.b)} → output R${fps(r.check.output.r)} G${fps(r.check.output.g)} B${fps(r.check.output.b)}`,
      `check       ${r.ok ? c.green(`ok: ${r.check.effectDescription}`) : c.red(`FAILED: ${r.check.decoded ? r.check.effectDescription : 'output did not decode'}`)}`,
      `watch it    ffplay ${r.file}`,
    ];
    process.stderr.write(lines.join('\n') + '\n');
    return r.ok ? EXIT.ok : EXIT.failure;
  });
}
