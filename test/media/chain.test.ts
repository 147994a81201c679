// Decoder → Encoder with nothing in between: every frame through, output pts == input pts.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { Decoder } from '../../src/media/decoder.js';
import { Encoder } from '../../src/media/encoder.js';
import { collect, makeTs, probePackets, probeStreams, tempDir } from '../helpers/media-gen.js';

describe('Decoder → Encoder', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    tmp = await tempDir();
  });
  after(() => tmp.cleanup());

  it('passes a 3 s stream through with identical video pts and keyframes every 1 s', async () => {
    const input = tmp.file('in.ts');
    await makeTs(input, { seconds: 3, size: '320x240', rate: 30 });
    const bytes = await readFile(input);
    const decoder = new Decoder();
    const encoder = new Encoder({ gop: 1, preset: 'ultrafast', audio: { sampleRate: 48000, channels: 2 } });
    const output = collect(encoder.output());
    const feeding = (async () => {
      for (let i = 0; i < bytes.length; i += 65536) await decoder.write(bytes.subarray(i, i + 65536));
      decoder.endInput();
    })();
    let videoFrames = 0;
    try {
      for await (const f of decoder.frames()) {
        if ('width' in f) {
          videoFrames++;
          await encoder.writeVideo(f);
        } else await encoder.writeAudio(f);
      }
      await feeding;
      await encoder.end();
    } finally {
      await decoder.close();
      await encoder.close();
    }
    const out = tmp.file('out.ts');
    await writeFile(out, Buffer.concat(await output));
    const inPts = (await probePackets(input, 'v')).map((p) => p.pts);
    const outPackets = await probePackets(out, 'v');
    assert.equal(videoFrames, 90);
    assert.deepEqual(
      outPackets.map((p) => p.pts),
      inPts,
    );
    const keys = outPackets.filter((p) => p.key).map((p) => p.pts);
    assert.deepEqual(
      keys.map((k) => k - inPts[0]),
      [0, 90000, 180000],
    );
    const a = (await probeStreams(out)).find((s) => s.codec_type === 'audio');
    assert.equal(Number(a?.channels), 2);
  });
});
