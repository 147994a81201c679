// The CLI contract: every documented command exists, shows help with an example, and unknown input is a usage error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';

const COMMANDS = ['relay', 'publish', 'subscribe', 'process', 'serve', 'register', 'demo', 'doctor', 'probe', 'init'];

test('top-level help lists every documented command', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.exitCode, 0);
  for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`^\\s+${c}\\b`, 'm'), c);
});

for (const c of COMMANDS) {
  test(`trickle ${c} --help shows the common flags and an example`, async () => {
    const r = await runCli([c, '--help']);
    assert.equal(r.exitCode, 0);
    for (const flag of ['--config', '--log-format', '--quiet', '--verbose', '--no-color']) assert.ok(r.stdout.includes(flag), flag);
    assert.match(r.stdout, /Examples:\n\s+\$ .*trickle /);
  });
}

test('an unknown command or flag is a usage error (exit 2)', async () => {
  assert.equal((await runCli(['bogus'])).exitCode, 2);
  assert.equal((await runCli(['relay', '--bogus'])).exitCode, 2);
});

test('--version prints the package version', async () => {
  const r = await runCli(['--version']);
  assert.equal(r.exitCode, 0);
  assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+/);
});

test('a malformed config file is a config error (exit 2) naming the file', async () => {
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const dir = await mkdtemp(path.join(tmpdir(), 'trickle-cfg-'));
  const file = path.join(dir, 'bad.json');
  await writeFile(file, '{ not json');
  const r = await runCli(['doctor', '--config', file]);
  assert.equal(r.exitCode, 2);
  assert.ok(r.stderr.includes('bad.json'), r.stderr);
});

test('output into a pipe that closes early ends quietly with exit 0 (no EPIPE crash)', async () => {
  const { execa } = await import('execa');
  const { BIN } = await import('../helpers/cli.js');
  for (const args of ['--help', 'serve --help', 'doctor --json']) {
    // A reader that takes one line and leaves before the command is done writing.
    const r = await execa('bash', ['-c', `"${process.execPath}" "${BIN}" ${args} 2>/tmp/trickle-epipe-$$.err | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}"; cat /tmp/trickle-epipe-$$.err; rm -f /tmp/trickle-epipe-$$.err`], { reject: false, env: { NO_COLOR: '1' } });
    const [code, ...stderr] = String(r.stdout).split('\n');
    assert.equal(code, '0', `${args}: ${stderr.join('\n')}`);
    assert.ok(!/EPIPE|Unhandled/.test(stderr.join('\n')), `${args}: ${stderr.join('\n')}`);
  }
});
