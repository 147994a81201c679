// `trickle doctor`: what this machine has for running trickle.
import { Command } from 'commander';
import chalk, { Chalk } from 'chalk';
import { runDoctor, type DoctorReport } from '../../doctor/report.js';
import { addCommonOptions, defineAction, withExamples } from '../command.js';
import { EXIT } from '../exit-codes.js';

function formatReport(r: DoctorReport, color: boolean): string {
  const c = color ? chalk : new Chalk({ level: 0 });
  const yes = (b: boolean | undefined) => (b ? c.green('yes') : c.red('no'));
  const lines: string[] = [];
  lines.push(`node         ${r.node.version} ${r.node.ok ? c.green('ok') : c.red('too old (need >= 20)')}`);
  if (r.ffmpeg.found) {
    lines.push(`ffmpeg       ${r.ffmpeg.version ?? '?'}  ${r.ffmpeg.path} (${r.ffmpeg.source})`);
    lines.push(`ffprobe      ${r.ffmpeg.ffprobe ?? c.yellow('not found')}`);
    lines.push(`encoders     ${Object.entries(r.ffmpeg.encoders).map(([k, v]) => `${k} ${yes(v)}`).join(', ')}`);
    if (r.ffmpeg.nvencWorks !== undefined) lines.push(`h264_nvenc   usable: ${yes(r.ffmpeg.nvencWorks)}`);
    lines.push(`decoders     ${Object.entries(r.ffmpeg.decoders).map(([k, v]) => `${k} ${yes(v)}`).join(', ')}`);
  } else lines.push(`ffmpeg       ${c.red('not found')}: ${r.ffmpeg.error ?? ''}`);
  lines.push(`onnxruntime  ${r.onnxruntime.version ?? c.yellow('not installed')}`);
  for (const p of r.onnxruntime.providers) lines.push(`  provider   ${p.name.padEnd(5)} ${p.loads ? c.green('loads') : c.yellow('does not load')}${p.error && !p.loads ? `: ${p.error.split('\n')[0].slice(0, 160)}` : ''}`);
  if (r.onnxruntime.error) lines.push(`  ${c.yellow(r.onnxruntime.error)}`);
  lines.push(`gpus         ${r.gpus.length === 0 ? 'none seen' : r.gpus.map((g) => `#${g.index} ${g.name} (${g.memoryMiB} MiB)`).join('; ')}`);
  for (const w of r.warnings) lines.push(`${c.yellow('warning')}      ${w}`);
  for (const p of r.problems) lines.push(`${c.red('problem')}      ${p}`);
  lines.push(`verdict      ${r.ok ? c.green(r.verdict) : c.red(r.verdict)}`);
  return lines.join('\n') + '\n';
}

export function doctorCommand(): Command {
  const cmd = new Command('doctor')
    .description('report ffmpeg, onnxruntime and GPU support on this machine')
    .option('--json', 'print the report as JSON')
    .option('--ffmpeg <path>', 'ffmpeg binary to check');
  addCommonOptions(cmd);
  withExamples(cmd, 'trickle doctor', 'trickle doctor --json | jq .verdict');
  return defineAction(cmd, 'doctor', async (ctx) => {
    const s = ctx.settings<{ json: boolean; ffmpeg?: string }>([
      { key: 'json', type: 'boolean', default: false },
      { key: 'ffmpeg', type: 'string', env: ['TRICKLE_FFMPEG'], flag: '--ffmpeg' },
    ]);
    const live = ctx.live('checking node, ffmpeg and its encoders, onnxruntime providers, GPUs…');
    const report = await runDoctor({ ffmpegPath: s.ffmpeg, env: ctx.env });
    live.stop();
    // The report is the command's output, so it goes to stdout (scripts pipe it into jq).
    process.stdout.write(s.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report, ctx.color));
    return report.ok ? EXIT.ok : EXIT.failure;
  });
}
