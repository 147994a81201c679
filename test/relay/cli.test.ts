// `trickle relay` as users run it: listening line, signals → exit codes, flags.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { spawnRelayCli } from '../helpers/relay.js';
import { publish, request } from './wire.js';

describe('trickle relay (CLI)', () => {
  it('prints its URL, serves trickle, and exits 143 on SIGTERM', async () => {
    const relay = await spawnRelayCli();
    try {
      assert.match(relay.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      assert.equal(relay.stderr().trim().split('\n').length, 1);
      assert.equal((await publish(relay.url + 'cli/0', 'hi')).status, 200);
      assert.equal((await request('GET', relay.url + 'cli/0')).text, 'hi');
    } finally {
      assert.equal(await relay.stop('SIGTERM'), 143);
    }
  });

  it('exits 130 on SIGINT and can be restarted on the same port', async () => {
    const relay = await spawnRelayCli();
    assert.equal(await relay.stop('SIGINT'), 130);
    const again = await spawnRelayCli(['--port', String(relay.port)]);
    try {
      assert.equal(again.port, relay.port);
      assert.equal((await publish(again.url + 'back/0', 'x')).status, 200);
    } finally {
      await again.stop();
    }
  });

  it('--no-autocreate: POST to an unknown channel is 404; --path sets the base path', async () => {
    const relay = await spawnRelayCli(['--no-autocreate', '--path', 'ai/trickle']);
    try {
      assert.match(relay.url, /\/ai\/trickle\/$/);
      const r = await publish(relay.url + 'unknown/0', 'x');
      assert.equal(r.status, 404);
      assert.equal(r.text, 'Stream not found\n');
    } finally {
      await relay.stop();
    }
  });

  it('env TRICKLE_RELAY_MAX_SEGMENT_BYTES is honoured; a busy port is a clear error', async () => {
    const relay = await spawnRelayCli([], { env: { TRICKLE_RELAY_MAX_SEGMENT_BYTES: '10' } });
    try {
      assert.equal((await publish(relay.url + 'small/0', 'x'.repeat(100))).status, 413);
      const busy = await runCli(['relay', '--port', String(relay.port)]);
      assert.equal(busy.exitCode, 1);
      assert.match(busy.stderr, /address in use/);
    } finally {
      await relay.stop();
    }
  });

  it('reads the relay section of a config file; flags win over it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'relay-cfg-'));
    const file = path.join(dir, '.trickclirc.json');
    writeFileSync(file, JSON.stringify({ relay: { path: '/cfg/', maxSegmentBytes: 10, autocreate: false } }));
    const relay = await spawnRelayCli(['--config', file, '--max-segment-bytes', '1000']);
    try {
      assert.match(relay.url, /\/cfg\/$/);
      assert.equal((await publish(relay.url + 'nope/0', 'x')).status, 404);
      assert.equal((await request('POST', relay.url + 'nope')).status, 404);
    } finally {
      await relay.stop();
    }
    const flags = await spawnRelayCli(['--config', file, '--path', '/', '--max-segment-bytes', '1000']);
    try {
      assert.match(flags.url, /:\d+\/$/);
    } finally {
      await flags.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--log-format json prints the listening line as one NDJSON record', async () => {
    const relay = await spawnRelayCli(['--log-format', 'json']);
    try {
      const record = JSON.parse(relay.stderr().trim().split('\n')[0]!) as { url: string; msg: string };
      assert.equal(record.url, relay.url);
      assert.match(record.msg, /listening on/);
    } finally {
      await relay.stop();
    }
  });

  it('--help lists the deviations', async () => {
    const help = await runCli(['relay', '--help']);
    assert.equal(help.exitCode, 0);
    assert.match(help.stdout, /400 Invalid idx/);
    assert.match(help.stdout, /413/);
    assert.match(help.stdout, /aborted mid-body/);
  });
});
