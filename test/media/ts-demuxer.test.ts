// TsDemuxer on real ffmpeg MPEG-TS and on hand-made packets: pts, when each PES comes out, PSI, damage, garbage.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { mpegCrc32 } from '../../src/media/crc32.js';
import { TsDemuxer, type PesPacket, type TsDemuxEvent } from '../../src/media/ts/demuxer.js';
import { patPacket, pmtPacket } from '../../src/media/ts/psi.js';
import { isUnitStart, pidOf } from '../../src/media/ts/packets.js';
import { packetPts } from '../../src/media/ts/pes.js';
import { chunked, makeTs, probePackets, tempDir } from '../helpers/media-gen.js';

const pes = (events: TsDemuxEvent[]): PesPacket[] => events.flatMap((e) => (e.type === 'pes' ? [e.pes] : []));

/** One transport packet: `payload` after an adaptation field that pads it to 188 bytes (and carries `flags`). */
function tsPacket(pid: number, cc: number, payload: Uint8Array, opts: { start?: boolean; afFlags?: number } = {}): Uint8Array {
  const p = new Uint8Array(188);
  p[0] = 0x47;
  p[1] = (opts.start ? 0x40 : 0) | (pid >> 8);
  p[2] = pid & 0xff;
  const room = 184 - payload.length;
  if (room < 0) throw new Error('payload too big');
  if (room === 0 && opts.afFlags === undefined) {
    p[3] = 0x10 | cc;
    p.set(payload, 4);
    return p;
  }
  p[3] = 0x30 | cc;
  p[4] = room - 1; // adaptation field length
  if (room > 1) {
    p[5] = opts.afFlags ?? 0;
    p.fill(0xff, 6, 4 + room);
  }
  p.set(payload, 4 + room);
  return p;
}

/** A video PES header (no length) with a pts, followed by `body`. */
function videoPes(pts: number, body: Uint8Array): Uint8Array {
  const h = [0, 0, 1, 0xe0, 0, 0, 0x80, 0x80, 5, 0x21 | ((Math.floor(pts / 2 ** 30) & 7) << 1), (pts >> 22) & 0xff, ((pts >> 14) & 0xfe) | 1, (pts >> 7) & 0xff, ((pts << 1) & 0xfe) | 1];
  const out = new Uint8Array(h.length + body.length);
  out.set(h);
  out.set(body, h.length);
  return out;
}

const VIDEO_PID = 0x100;
const program = () => [patPacket(0x1000, 1, 0), pmtPacket(0x1000, { programNumber: 1, pcrPid: VIDEO_PID, streams: [{ pid: VIDEO_PID, streamType: 0x1b, descriptors: new Uint8Array(0) }] }, 0)];

describe('TsDemuxer', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let file: string;
  let bytes: Buffer;
  before(async () => {
    tmp = await tempDir();
    file = tmp.file('av.ts');
    await makeTs(file, { seconds: 2 });
    bytes = await readFile(file);
  });
  after(() => tmp.cleanup());

  it('reads the program and every PES with the pts ffprobe reports, whatever the chunking', async () => {
    const video = (await probePackets(file, 'v')).map((p) => p.pts);
    const audio = new Set((await probePackets(file, 'a')).map((p) => p.pts));
    for (const sizes of [[1], [187, 189], [4096], [65536, 7]]) {
      const d = new TsDemuxer();
      const events: TsDemuxEvent[] = [];
      for (const c of chunked(bytes, sizes)) events.push(...d.push(c));
      events.push(...d.end());
      assert.equal(d.program?.video?.codec, 'h264');
      assert.equal(d.program?.audio?.codec, 'aac');
      const all = pes(events);
      assert.deepEqual(
        all.filter((p) => p.stream.kind === 'video').map((p) => p.pts),
        video,
        `video pts with chunks ${sizes}`,
      );
      const audioPes = all.filter((p) => p.stream.kind === 'audio');
      assert.ok(audioPes.length > 10);
      // One audio PES holds several ADTS frames; each PES starts at one of them.
      for (const p of audioPes) assert.ok(audio.has(p.pts!), `audio pts ${p.pts}`);
      assert.ok(all.every((p) => !p.damaged));
      assert.equal(d.stats.garbageBytes, 0);
    }
  });

  it('hands a PES out with its own last packet, not when the next PES begins', () => {
    const d = new TsDemuxer();
    let onTime = 0;
    let late = 0;
    for (let i = 0; i < bytes.length; i += 188) {
      const packet = bytes.subarray(i, i + 188);
      const startPts = isUnitStart(packet, 0) ? packetPts(packet, 0) : -1;
      for (const p of pes(d.push(packet))) {
        // Out at the start of a different PES of its PID: it waited for that start (late).
        if (isUnitStart(packet, 0) && pidOf(packet, 0) === p.stream.pid && startPts !== p.pts) late++;
        else onTime++;
      }
    }
    // A PES whose bytes end exactly at a packet boundary has no stuffing to show its end: rare.
    assert.ok(onTime > 0 && late <= Math.ceil((onTime + late) * 0.05), `${onTime} on time, ${late} at the next PES`);
  });

  it('stuffing that was not the end of a PES costs that PES its tail once; the PID then waits for the next PES', () => {
    const d = new TsDemuxer();
    const events: TsDemuxEvent[] = [];
    for (const p of program()) events.push(...d.push(p));
    const body = (n: number, fill: number) => new Uint8Array(n).fill(fill);
    // PES 1: a stuffed packet mid-way (a muxer we have not met), then more of the same PES.
    events.push(...d.push(tsPacket(VIDEO_PID, 0, videoPes(3000, body(100, 1)), { start: true })));
    const early = pes(events);
    assert.equal(early.length, 1, 'handed out at the stuffing');
    events.push(...d.push(tsPacket(VIDEO_PID, 1, body(184, 2))));
    assert.equal(d.stats.earlyEndMistakes, 1);
    // PES 2 ends with stuffing too, but the PID no longer trusts it: out when PES 3 starts.
    events.push(...d.push(tsPacket(VIDEO_PID, 2, videoPes(6000, body(150, 3)), { start: true })));
    assert.equal(pes(events).length, 1);
    events.push(...d.push(tsPacket(VIDEO_PID, 3, videoPes(9000, body(10, 4)), { start: true })));
    const all = pes(events);
    assert.deepEqual(
      all.map((p) => p.pts),
      [3000, 6000],
    );
    assert.deepEqual(all[1].data, body(150, 3));
  });

  it('takes a one- or two-byte adaptation field that only pads as the end of the PES too', () => {
    for (const pad of [1, 2]) {
      const d = new TsDemuxer();
      for (const p of program()) d.push(p);
      const out = pes(d.push(tsPacket(VIDEO_PID, 0, videoPes(3000, new Uint8Array(184 - 14 - pad).fill(5)), { start: true })));
      assert.equal(out.length, 1, `${pad} byte(s) of padding`);
      assert.equal(out[0].data.length, 184 - 14 - pad);
    }
  });

  it('marks a PES with a continuity gap damaged, drops a repeated packet, and keeps random-access flags', () => {
    const d = new TsDemuxer();
    for (const p of program()) d.push(p);
    const first = tsPacket(VIDEO_PID, 0, videoPes(3000, new Uint8Array(156).fill(7)), { start: true, afFlags: 0x40 });
    const events = [...d.push(first), ...d.push(first)]; // a duplicate (same cc): ignored
    // PES 6000 spans three packets; the middle one (cc 2) is lost.
    const big = videoPes(6000, new Uint8Array(400).fill(9));
    events.push(...d.push(tsPacket(VIDEO_PID, 1, big.subarray(0, 184), { start: true })));
    events.push(...d.push(tsPacket(VIDEO_PID, 3, big.subarray(368))));
    events.push(...d.push(tsPacket(VIDEO_PID, 4, videoPes(9000, new Uint8Array(60)), { start: true })));
    const all = pes(events);
    assert.deepEqual(
      all.map((p) => [p.pts, p.randomAccess, p.damaged]),
      [
        [3000, true, false],
        [6000, false, true],
        [9000, false, false],
      ],
    );
    assert.equal(all[0].data.length, 156);
    assert.equal(d.stats.discontinuities, 1);
  });

  it('keeps a packet that repeats the last counter with other bytes (two streams spliced together): a discontinuity, not a duplicate', () => {
    const d = new TsDemuxer();
    for (const p of program()) d.push(p);
    const events = d.push(tsPacket(VIDEO_PID, 0, videoPes(3000, new Uint8Array(100).fill(1)), { start: true }));
    // The next stream's first packet happens to carry counter 0 too: the keyframe it starts is kept.
    events.push(...d.push(tsPacket(VIDEO_PID, 0, videoPes(90, new Uint8Array(100).fill(2)), { start: true, afFlags: 0x40 })));
    events.push(...d.push(tsPacket(VIDEO_PID, 1, videoPes(3090, new Uint8Array(100).fill(3)), { start: true })));
    assert.deepEqual(
      pes(events).map((p) => [p.pts, p.randomAccess]),
      [
        [3000, false],
        [90, true],
        [3090, false],
      ],
    );
    assert.equal(d.stats.discontinuities, 1);
  });

  it('reads a PMT section that spans two packets, and ignores one whose CRC is wrong', () => {
    const descriptors = new Uint8Array(200).fill(0x20); // 0x20 is a tag nobody knows, length 0x20 …
    for (let i = 0; i < 200; i += 34) descriptors.set([0xa0, 32], i);
    const body = [0x02, 0, 0, 0, 1, 0xc1, 0, 0, 0xe1, 0x00, 0xf0, 0, 0x1b, 0xe1, 0x00, 0xf0 | (200 >> 8), 200 & 0xff, ...descriptors.subarray(0, 200)];
    const section = new Uint8Array(body.length + 4);
    section.set(body);
    section[1] = 0xb0 | ((section.length - 3) >> 8);
    section[2] = (section.length - 3) & 0xff;
    const crc = mpegCrc32(section, 0, section.length - 4);
    section.set([crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff], section.length - 4);
    const withPointer = new Uint8Array(section.length + 1);
    withPointer.set(section, 1);
    const d = new TsDemuxer();
    d.push(patPacket(0x1000, 1, 0));
    const bad = withPointer.slice();
    bad[bad.length - 1] ^= 1;
    d.push(tsPacket(0x1000, 0, bad.subarray(0, 184), { start: true }));
    d.push(tsPacket(0x1000, 1, bad.subarray(184)));
    const program = () => d.program;
    assert.equal(program(), undefined, 'CRC mismatch: not taken');
    d.push(tsPacket(0x1000, 2, withPointer.subarray(0, 184), { start: true }));
    const events = d.push(tsPacket(0x1000, 3, withPointer.subarray(184)));
    assert.equal(events[0]?.type, 'program');
    assert.equal(program()?.video?.pid, VIDEO_PID);
    assert.equal(program()?.video?.descriptors.length, 200);
  });

  it('skips garbage between packets and finds the packets again', async () => {
    const video = (await probePackets(file, 'v')).map((p) => p.pts);
    const noisy: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 188 * 50) {
      noisy.push(bytes.subarray(i, i + 188 * 50));
      noisy.push(new Uint8Array(77).map((_, k) => (k * 31 + i) & 0xff).map((x) => (x === 0x47 ? 0 : x)));
    }
    const d = new TsDemuxer();
    const events = [...noisy.flatMap((c) => d.push(c)), ...d.end()];
    assert.ok(d.stats.garbageBytes >= 77);
    const got = pes(events).filter((p) => p.stream.kind === 'video' && !p.damaged);
    assert.ok(got.length >= video.length - 2, `${got.length} of ${video.length} video PES intact`);
  });
});
