// What is live on a terminal: a spinner line on a real TTY, nothing of it on a pipe, in NDJSON or where the terminal has no width.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { test } from 'node:test';
import { BIN, runCli } from '../helpers/cli.js';

/** Runs the CLI under a pseudo-terminal (util-linux `script`), `cols` columns wide; returns everything it drew. */
async function onTty(args: string, cols: number, env: Record<string, string> = {}): Promise<string> {
  const base: Record<string, string | undefined> = { ...process.env, TERM: 'xterm', ...env };
  if (!('CI' in env)) delete base.CI;
  const r = await execa('script', ['-qec', `stty cols ${cols}; "${process.execPath}" "${BIN}" ${args}`, '/dev/null'], { reject: false, timeout: 60_000, env: base, extendEnv: false });
  return String(r.stdout);
}

test('doctor on a terminal shows its stage as a spinner line, then the report', async () => {
  const out = await onTty('doctor', 100);
  assert.match(out, /checking node, ffmpeg and its encoders/);
  assert.match(out, /\x1b\[\?25l/, 'the cursor is hidden while the spinner runs');
  assert.match(out, /verdict/);
});

test('no spinner on a terminal with no width, on a pipe, or with --log-format json', async () => {
  assert.doesNotMatch(await onTty('doctor', 0), /checking node/);
  const piped = await runCli(['doctor']);
  assert.doesNotMatch(piped.stderr + piped.stdout, /checking node|\x1b\[\?25l/);
  assert.doesNotMatch(await onTty('doctor --log-format json', 100), /checking node/);
});

test('no spinner on a CI runner\'s terminal (CI set) nor with TERM=dumb: plain lines only', async () => {
  const ci = await onTty('doctor', 100, { CI: 'true' });
  assert.doesNotMatch(ci, /checking node|\x1b\[\?25l/);
  assert.match(ci, /verdict/);
  assert.doesNotMatch(await onTty('doctor', 100, { TERM: 'dumb' }), /checking node|\x1b\[\?25l/);
});
