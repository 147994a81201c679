// NutSocketReader connects once its child has input, waits for a child slow to listen, and gives up when the child is gone.
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { NutDemuxer } from '../../src/media/nut/demuxer.js';
import { NutSocketReader, nutSocketPath } from '../../src/media/nut-socket.js';
import { until } from '../helpers/until.js';

/** A listener on `path` (what ffmpeg's `-listen 1 unix:PATH` opens) that counts connections. */
async function listen(path: string): Promise<{ connections: () => number; close: () => Promise<void> }> {
  let n = 0;
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    n++;
    sockets.push(s);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    connections: () => n,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const never = new Promise<never>(() => {});

describe('NutSocketReader', () => {
  it('does not connect before its child has input (a spare may wait long), then connects at once', async () => {
    const path = nutSocketPath();
    const server = await listen(path);
    const reader = new NutSocketReader(path, new NutDemuxer(), never);
    try {
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(server.connections(), 0, 'no attempt while the child has no input');
      reader.arm();
      await reader.connected;
      await until('the connection', () => (server.connections() === 1 ? true : undefined));
    } finally {
      reader.close();
      await server.close();
    }
  });

  it('keeps trying while a busy child is slow to listen', async () => {
    const path = nutSocketPath();
    const reader = new NutSocketReader(path, new NutDemuxer(), never);
    reader.arm();
    await new Promise((r) => setTimeout(r, 1500)); // past the fast retries
    const server = await listen(path);
    try {
      await reader.connected;
      assert.equal(server.connections(), 1);
    } finally {
      reader.close();
      await server.close();
    }
  });

  it('gives up once the child is gone, armed or not', async () => {
    let gone!: () => void;
    const unarmed = new NutSocketReader(nutSocketPath(), new NutDemuxer(), new Promise<void>((r) => (gone = r)));
    gone();
    await assert.rejects(unarmed.connected, /exited before it listened/);
    let ended!: () => void;
    const armed = new NutSocketReader(nutSocketPath(), new NutDemuxer(), new Promise<void>((r) => (ended = r)));
    armed.arm();
    setTimeout(ended, 200);
    await assert.rejects(armed.connected, /ENOENT/);
  });
});
