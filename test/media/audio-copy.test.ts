// Copied audio in the Encoder (real x264 for the video): payloads and stream type as they came, held until video passes their pts, bounded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Encoder } from '../../src/media/encoder.js';
import { TIME_BASE_90K } from '../../src/media/frames.js';
import { TsDemuxer, type PesPacket } from '../../src/media/ts/demuxer.js';
import { until } from '../helpers/until.js';
import { adtsFrame } from '../helpers/adts.js';

const AAC = { streamType: 0x0f, descriptors: new Uint8Array(0) };
/** 1024 samples at 48 kHz, in 90 kHz ticks. */
const AAC_TICKS = 1920;
const FRAME_TICKS = 3000;

/** A made-up audio payload that differs packet to packet (the muxer never looks inside). */
const payload = (n: number) => new Uint8Array(200 + (n % 50)).map((_, i) => (i * 31 + n) & 0xff);
const frame = (pts: number) => ({ data: new Uint8Array(64 * 48 * 3).fill(pts & 0xff), width: 64, height: 48, format: 'rgb24' as const, pts, timeBase: TIME_BASE_90K });

/** Reads the encoder's output as it comes; `pes` fills in while the encoder runs. */
function reader(encoder: Encoder): { pes: PesPacket[]; demuxer: TsDemuxer; done: Promise<void> } {
  const demuxer = new TsDemuxer();
  const pes: PesPacket[] = [];
  const done = (async () => {
    for await (const chunk of encoder.output()) for (const e of demuxer.push(chunk)) if (e.type === 'pes') pes.push(e.pes);
    for (const e of demuxer.end()) if (e.type === 'pes') pes.push(e.pes);
  })();
  return { pes, demuxer, done };
}

describe('copied audio in the Encoder', () => {
  it('goes out byte for byte under the input stream type, each packet after the video that passes its pts', async () => {
    const encoder = new Encoder({ preset: 'ultrafast', audio: {}, audioCopied: true });
    const out = reader(encoder);
    assert.equal(encoder.copyAudio(AAC), true);
    const written: Uint8Array[] = [];
    let apts = 0;
    for (let n = 0; n < 60; n++) {
      // Audio arrives half a second ahead of the video it belongs with.
      while (apts <= n * FRAME_TICKS + 45_000) {
        const data = payload(written.length);
        written.push(data);
        await encoder.writeAudioPacket({ pts: apts, streamId: 0xc0, data });
        apts += AAC_TICKS;
      }
      await encoder.writeVideo(frame(n * FRAME_TICKS));
      // In step with the encoder, as a live stream is: written faster than x264 encodes, video would
      // fall seconds behind and the bound would rightly let audio go ahead.
      await until(`video frame ${n} muxed`, () => (out.pes.filter((p) => p.stream.kind === 'video').length > n ? true : undefined), 30_000, 5);
    }
    await encoder.end();
    await out.done;
    await encoder.close();
    assert.equal(out.demuxer.program?.audio?.streamType, 0x0f);
    const audio = out.pes.filter((p) => p.stream.kind === 'audio');
    assert.deepEqual(audio.map((p) => Buffer.from(p.data)), written.map((d) => Buffer.from(d)), 'every payload as written, in order');
    assert.ok(audio.every((p) => p.streamId === 0xc0));
    let videoPts = -1;
    let lastVideo = -1;
    for (const p of out.pes) {
      if (p.stream.kind === 'video') videoPts = lastVideo = p.pts!;
      // Before the last video packet, audio never runs ahead of the video around it.
      else if (lastVideo < 59 * FRAME_TICKS) assert.ok(p.pts! <= videoPts, `audio ${p.pts} after video ${videoPts}`);
    }
  });

  it('drops a packet that overlaps the last one copied (a splice), so the output\'s audio pts only increase; a jump back past a second is kept', async () => {
    const encoder = new Encoder({ preset: 'ultrafast', audio: {}, audioCopied: true });
    const out = reader(encoder);
    encoder.copyAudio(AAC);
    // Without video the packets go straight out: what reaches the output is what the overlap rule kept.
    encoder.withoutVideo();
    const B = 1_000_000;
    const sent = [B, B + 1920, B + 3840, B + 5760, B + 4800, B + 5760, B + 7680, B + 9600, B - 200_000, B - 198_080];
    for (const [n, pts] of sent.entries()) await encoder.writeAudioPacket({ pts, streamId: 0xc0, data: payload(n) });
    await encoder.end();
    await out.done;
    await encoder.close();
    const pts = out.pes.filter((p) => p.stream.kind === 'audio').map((p) => p.pts);
    assert.deepEqual(pts, [B, B + 1920, B + 3840, B + 5760, B + 7680, B + 9600, B - 200_000, B - 198_080]);
  });

  it('drops a packet that starts inside the ADTS frames of the last one copied (several AAC frames in one PES)', async () => {
    const encoder = new Encoder({ preset: 'ultrafast', audio: {}, audioCopied: true });
    const out = reader(encoder);
    encoder.copyAudio(AAC);
    encoder.withoutVideo();
    const three = Uint8Array.from([...adtsFrame(40), ...adtsFrame(41), ...adtsFrame(42)]); // 3 × 1920 ticks at 48 kHz
    const B = 1_000_000;
    for (const pts of [B, B + 3840, B + 5760, B + 5760 + 5700]) await encoder.writeAudioPacket({ pts, streamId: 0xc0, data: three });
    await encoder.end();
    await out.done;
    await encoder.close();
    const pts = out.pes.filter((p) => p.stream.kind === 'audio').map((p) => p.pts);
    // B+3840 starts inside the first packet's frames; B+11460 only 60 ticks (under 1 ms) before the last one ends.
    assert.deepEqual(pts, [B, B + 5760, B + 5760 + 5700]);
  });

  it('goes out ahead of video that stalls, past two seconds of audio, instead of piling up', async () => {
    const encoder = new Encoder({ preset: 'ultrafast', audio: {}, audioCopied: true });
    const out = reader(encoder);
    encoder.copyAudio(AAC);
    await encoder.writeVideo(frame(0));
    await until('the first video packet', () => out.pes.some((p) => p.stream.kind === 'video') || undefined, 30_000);
    // Four seconds of audio and no more video.
    for (let n = 0; n * AAC_TICKS < 4 * 90_000; n++) await encoder.writeAudioPacket({ pts: n * AAC_TICKS, streamId: 0xc0, data: payload(n) });
    const held = 2 * 90_000;
    await until('audio beyond the bound', () => out.pes.some((p) => p.stream.kind === 'audio' && p.pts! >= 4 * 90_000 - held - 2 * AAC_TICKS) || undefined, 10_000);
    await encoder.end();
    await out.done;
    await encoder.close();
    assert.equal(out.pes.filter((p) => p.stream.kind === 'audio').length, Math.ceil((4 * 90_000) / AAC_TICKS), 'nothing lost');
  });

  it('without video: PAT/PMT come with the audio, which goes out at once', async () => {
    const encoder = new Encoder({ preset: 'ultrafast', audio: {}, audioCopied: true });
    const out = reader(encoder);
    assert.equal(encoder.withoutVideo(), true);
    encoder.copyAudio(AAC);
    for (let n = 0; n < 100; n++) await encoder.writeAudioPacket({ pts: n * AAC_TICKS, streamId: 0xc0, data: payload(n) });
    await until('audio streams before the end', () => (out.pes.length >= 99 ? true : undefined), 10_000);
    await encoder.end();
    await out.done;
    await encoder.close();
    assert.equal(out.demuxer.program?.video, undefined);
    assert.equal(out.demuxer.program?.pcrPid, out.demuxer.program?.audio?.pid);
    assert.equal(out.pes.length, 100);
  });
});
