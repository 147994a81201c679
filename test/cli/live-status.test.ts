// What is live on a terminal: a spinner line on a real TTY, nothing of it on a pipe, in NDJSON or where the terminal has no width.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { test } from 'node:test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, runCli } from '../helpers/cli.js';
import { startRelay } from '../helpers/relay.js';
import { waitForChannel } from '../../src/pipeline/wait-channel.js';
import { makeClip, publishFile, scratch } from '../process/media.js';

const SLOW = fileURLToPath(new URL('../worker/fixtures/slow-load.js', import.meta.url));

/** Runs the CLI under a pseudo-terminal (util-linux `script`), `cols` columns wide (after `prefix`, e.g. a `timeout`); returns everything it drew. */
async function onTty(args: string, cols: number, env: Record<string, string> = {}, prefix = ''): Promise<string> {
  const base: Record<string, string | undefined> = { ...process.env, TERM: 'xterm', ...env };
  if (!('CI' in env)) delete base.CI;
  const r = await execa('script', ['-qec', `stty cols ${cols}; ${prefix} "${process.execPath}" "${BIN}" ${args}`, '/dev/null'], { reject: false, timeout: 60_000, env: base, extendEnv: false });
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

test('process on a terminal: a spinner line with the stream state, fps, latency and drops; the end line after it', async () => {
  const relay = await startRelay();
  const tmp = await scratch();
  try {
    const clip = path.join(tmp.dir, 'in.ts');
    await makeClip(clip, { seconds: 4, channels: 0 });
    const url = (c: string) => relay.channelUrl(`tty-${c}`);
    const drawn = onTty(`process --in ${url('in')} --out ${url('out')} --processor passthrough --wait`, 160);
    // Kept open until the output exists: a process slow to start still reads the clip from its first segment.
    await publishFile(url('in'), clip, { re: true, keepOpen: true });
    await waitForChannel(url('out'));
    await fetch(url('in'), { method: 'DELETE' });
    const out = await drawn;
    assert.match(out, /\x1b\[\?25l/, 'the cursor is hidden while the spinner runs');
    assert.match(out, /ONLINE · \d+\.\d\/\d+\.\d fps · latency \d+ ms · dropped \d+ · errors \d+/);
    assert.match(out, /input ended: OFFLINE · in /);
  } finally {
    await relay.close();
    await tmp.cleanup();
  }
});

test('serve on a terminal: a spinner while the processor loads, then the listening line', async () => {
  const out = await onTty(`serve --processor ${SLOW} --host 127.0.0.1 --port 0`, 120, { SLOW_LOAD_MS: '1500' }, 'timeout -s INT 6');
  assert.match(out, /loading slow-load \(listening on http:\/\/127\.0\.0\.1:\d+\)/);
  assert.match(out, /trickle serve listening on http:\/\/127\.0\.0\.1:\d+ · slow-load loaded in \d+\.\d s/);
});
