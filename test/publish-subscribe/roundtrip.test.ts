// The shell round trip: a 10 s H.264+AAC clip → `trickle publish --re` → relay → `trickle subscribe` → every frame decodes.
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Relay } from '../../src/relay/index.js';
import { execa } from 'execa';
import { spawnCli } from '../helpers/cli.js';
import { countVideoFrames, decodeErrors, makeTsClip, tempDir, videoFrames } from '../helpers/media.js';
import { startRelay } from '../helpers/relay.js';
import { waitForChannelToExist, waitForStderr } from './waiting.js';

describe('publish → relay → subscribe round trip', () => {
  let relay: Relay;
  let dir: string;
  let cleanup: () => Promise<void>;
  let clip: string;
  before(async () => {
    relay = await startRelay();
    ({ dir, cleanup } = await tempDir());
    clip = path.join(dir, 'clip.ts');
    await makeTsClip(clip, { seconds: 10, size: '320x240', rate: 30, gop: 60 });
  });
  after(async () => {
    await relay.close();
    await cleanup();
  });

  it('delivers all 300 frames; a late --start -1 subscriber gets a stream that decodes from its first packet', async () => {
    const url = relay.channelUrl('roundtrip');
    const out = path.join(dir, 'out.ts');
    const late = path.join(dir, 'late.ts');
    const sub = spawnCli(['subscribe', url, '--wait', '-o', out], { timeout: 120_000 });
    let lateSub: ReturnType<typeof spawnCli> | undefined;
    try {
      await waitForStderr(sub, /waiting for the channel/);
      const pub = spawnCli(['publish', url, '-i', clip, '--re'], { timeout: 120_000 });
      await delay(3500);
      lateSub = spawnCli(['subscribe', url, '--start', '-1', '-o', late], { timeout: 120_000 });
      const p = await pub;
      assert.equal(p.exitCode, 0, String(p.stderr));
      assert.match(String(p.stderr), /segments=5/);
      const s = await sub;
      assert.equal(s.exitCode, 0, String(s.stderr));
      const l = await lateSub;
      assert.equal(l.exitCode, 0, String(l.stderr));

      assert.equal(await countVideoFrames(out), 300);
      assert.equal(await decodeErrors(out), '');

      assert.ok((await stat(late)).size > 0);
      const lateFrames = await videoFrames(late);
      assert.ok(lateFrames.length >= 60 && lateFrames.length < 300, `late joiner got ${lateFrames.length} frames`);
      assert.ok(lateFrames[0]!.key && lateFrames[0]!.type === 'I', 'the late stream starts with a keyframe');
      assert.equal(await decodeErrors(late), '');
    } finally {
      sub.kill();
      lateSub?.kill();
    }
  });

  it('publish reads MPEG-TS from stdin (ffmpeg -re … | trickle publish URL)', async () => {
    const url = relay.channelUrl('stdin');
    const out = path.join(dir, 'stdin-out.ts');
    const sub = spawnCli(['subscribe', url, '--wait', '-o', out], { timeout: 120_000 });
    let ffmpeg: ReturnType<typeof execa> | undefined;
    try {
      await waitForStderr(sub, /waiting for the channel/);
      const pub = spawnCli(['publish', url], { timeout: 120_000 });
      await waitForChannelToExist(url);
      ffmpeg = execa('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-i', clip, '-t', '4', '-c', 'copy', '-f', 'mpegts', '-'], {
        buffer: false,
        timeout: 120_000,
      });
      ffmpeg.stdout!.pipe(pub.stdin!);
      const p = await pub;
      assert.equal(p.exitCode, 0, String(p.stderr));
      const s = await sub;
      assert.equal(s.exitCode, 0, String(s.stderr));
      const frames = await videoFrames(out);
      assert.ok(frames.length >= 90 && frames.length <= 120, `got ${frames.length} frames`);
      assert.ok(frames[0]!.key);
    } finally {
      sub.kill();
      ffmpeg?.kill();
    }
  });
});
