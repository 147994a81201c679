// FfmpegChild with a real ffmpeg: what it wrote stays readable after it exited, for a reader that comes later.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FfmpegChild } from '../../src/media/ffmpeg-child.js';

test('output written before the child exits is there for a reader that starts after the exit', async () => {
  const child = new FfmpegChild(['-loglevel', 'error', '-f', 'u8', '-ar', '8000', '-ac', '1', '-i', 'pipe:0', '-f', 'u8', 'pipe:1'], { name: 'copier' });
  await child.write(Buffer.alloc(1000, 'x'));
  child.endInput();
  assert.deepEqual(await child.exited, { code: 0, signal: null });
  await new Promise((r) => setTimeout(r, 200));
  let bytes = 0;
  for await (const chunk of child.stdout) bytes += (chunk as Uint8Array).length;
  assert.equal(bytes, 1000);
});
