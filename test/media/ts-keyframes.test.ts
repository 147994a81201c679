// The one keyframe rule (decoder and segmenter): the first picture decides; parameter sets only stand in for a cut-off prefix.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKeyframe } from '../../src/media/ts/keyframes.js';
import { TsPtsSniffer } from '../../src/media/ts/pts-sniffer.js';
import { pesPackets } from '../../src/media/ts/pes.js';

const nal = (header: number, size = 4) => [0, 0, 0, 1, header, ...new Array<number>(size).fill(0x55)];
const au = (...nals: number[][]) => Uint8Array.from(nals.flat());
const AUD = nal(0x09, 1);
const SPS = nal(0x67);
const PPS = nal(0x68);
const SEI = nal(0x06, 40);

test('H.264: an IDR slice is a keyframe, a non-IDR slice is not, even after repeated parameter sets', () => {
  assert.equal(isKeyframe(au(AUD, SPS, PPS, SEI, nal(0x65)), 'h264'), true);
  assert.equal(isKeyframe(au(AUD, nal(0x41)), 'h264'), false);
  assert.equal(isKeyframe(au(AUD, SPS, PPS, nal(0x41)), 'h264'), false, 'parameter sets before a P slice (open GOP, recovery point) are no cut');
});

test('H.264: bytes that end before the first slice count as a keyframe only when they carry an SPS', () => {
  assert.equal(isKeyframe(au(AUD, SPS, PPS, SEI), 'h264'), true);
  assert.equal(isKeyframe(au(AUD, SEI), 'h264'), false);
});

test('HEVC: IRAP pictures are keyframes, other pictures are not; VPS/SPS stand in for a cut-off prefix', () => {
  const hevc = (type: number) => nal(type << 1);
  assert.equal(isKeyframe(au(hevc(32), hevc(33), hevc(34), hevc(19)), 'hevc'), true); // IDR_W_RADL
  assert.equal(isKeyframe(au(hevc(35), hevc(1)), 'hevc'), false); // TRAIL_R
  assert.equal(isKeyframe(au(hevc(32), hevc(33)), 'hevc'), true);
});

test('MPEG-2: a sequence header before the picture is a keyframe; codecs without a rule never are', () => {
  assert.equal(isKeyframe(Uint8Array.of(0, 0, 1, 0xb3, 1, 2, 0, 0, 1, 0), 'mpeg2video'), true);
  assert.equal(isKeyframe(Uint8Array.of(0, 0, 1, 0, 1, 2), 'mpeg2video'), false);
  assert.equal(isKeyframe(au(SPS, nal(0x65)), 'other'), false);
});

test('TsPtsSniffer reports each video PES pts once, across any chunking, and skips audio', () => {
  const video = [0, 3000, 2 ** 33 - 1].map((pts, i) => pesPackets({ pid: 0x100, streamId: 0xe0, pts }, new Uint8Array(300 + i * 100), i).packets);
  const audio = pesPackets({ pid: 0x101, streamId: 0xc0, pts: 1234 }, new Uint8Array(50), 0).packets;
  const ts = Buffer.concat([video[0], audio, video[1], video[2]]);
  const sniffer = new TsPtsSniffer();
  const seen: number[] = [];
  for (let off = 0; off < ts.length; off += 100) seen.push(...sniffer.push(ts.subarray(off, off + 100)));
  assert.deepEqual(seen, [0, 3000, 2 ** 33 - 1]);
});
