// The --expect grammar: what parses, what is a usage error, and how each assertion reads a report.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTrickleError } from '../../src/errors.js';
import { checkExpectations, parseExpectations } from '../../src/probe/expectations.js';
import { summarise } from '../../src/probe/summary.js';
import type { EventsProbe, SegmentProbe } from '../../src/probe/types.js';

function segment(seq: number, over: Partial<SegmentProbe> = {}): SegmentProbe {
  return {
    seq,
    missingBefore: 0,
    bytes: 1000,
    receivedAt: seq,
    receiveSeconds: 0.9,
    interval: seq === 0 ? null : 1,
    idleBefore: seq === 0 ? null : 0.1,
    decodes: true,
    decodeError: null,
    keyframeStart: true,
    videoCodec: 'h264',
    videoFrames: 30,
    decodedFrames: 30,
    fps: 30,
    width: 1280,
    height: 720,
    audio: { codec: 'aac', channels: 2, sampleRate: 48000, packets: 10 },
    avOffsetMs: 0,
    meanColor: { r: 10, g: 20, b: 30 },
    ...over,
  };
}

function check(list: string[], segments: SegmentProbe[], events: EventsProbe | null = null) {
  const parsed = parseExpectations(list, { events: events !== null });
  return checkExpectations(parsed, { summary: summarise(segments, { relayJumps: 0, missingAfter: 0 }), segments, events });
}

describe('--expect', () => {
  it('splits commas, keeps order and the text as written', () => {
    const p = parseExpectations([' fps >= 25 ,keyframes', 'resolution=1280x720', 'AUDIO'], { events: false });
    assert.deepEqual(p.map((e) => [e.text, e.key, e.op, e.value]), [
      ['fps >= 25', 'fps', '>=', '25'],
      ['keyframes', 'keyframes', undefined, undefined],
      ['resolution=1280x720', 'resolution', '=', '1280x720'],
      ['AUDIO', 'audio', undefined, undefined],
    ]);
  });

  it('rejects what does not parse with TRICKLE_USAGE naming the assertion', () => {
    for (const bad of ['fps', 'fps>=fast', 'keyframes=1', 'bogus', 'resolution>1x1', 'resolution=big', '>=3', 'state=ONLINE', 'gaps=']) {
      assert.throws(
        () => parseExpectations([bad], { events: false }),
        (err: unknown) => isTrickleError(err, 'TRICKLE_USAGE') && err.message.includes(JSON.stringify(bad)),
        bad,
      );
    }
    assert.equal(parseExpectations(['state=ONLINE'], { events: true }).length, 1);
  });

  it('passes on a good report and names the measured value', () => {
    const segs = [segment(0), segment(1), segment(2)];
    const r = check(['fps>=25', 'fps<31', 'minfps>29', 'keyframes', 'decodes', 'audio', 'video', 'resolution=1280x720', 'gaps=0', 'segments>=3', 'maxgap<=1.5', 'avoffset<=40', 'channels=2', 'audio=aac', 'video=h264', 'frames=90'], segs);
    assert.deepEqual(r.filter((e) => !e.ok), []);
    assert.equal(r[0].actual, '30');
  });

  it('fails naming the segments at fault', () => {
    const segs = [
      segment(0),
      segment(2, { missingBefore: 1, keyframeStart: false, audio: null, decodes: false, decodeError: 'boom', width: 640, height: 360, idleBefore: 2.2, avOffsetMs: -80 }),
      segment(3, { audio: null }),
    ];
    const r = check(['keyframes', 'audio', 'decodes', 'resolution=1280x720', 'resolution!=640x360', 'gaps=0', 'maxgap<=1.5', 'avoffset<50'], segs);
    assert.deepEqual(
      r.map((e) => [e.expectation, e.ok, e.actual]),
      [
        ['keyframes', false, 'segment 2 does not start with a keyframe'],
        ['audio', false, 'segments 2, 3 have no audio'],
        ['decodes', false, 'segment 2: boom'],
        ['resolution=1280x720', false, '1280x720, 640x360'],
        ['resolution!=640x360', false, '1280x720, 640x360'],
        ['gaps=0', false, '1'],
        ['maxgap<=1.5', false, '2.2'],
        ['avoffset<50', false, '80'],
      ],
    );
  });

  it('a measure that is not there fails rather than passes', () => {
    const r = check(['maxgap<=1.5', 'fps>=25', 'keyframes'], [segment(0, { fps: null })]);
    assert.deepEqual(r.map((e) => e.ok), [false, false, true]);
    assert.match(r[0].actual, /fewer than two segments/);
    assert.deepEqual(check(['keyframes', 'segments>=1'], []).map((e) => e.ok), [false, false]);
  });

  it('states: = is "seen", != is "never seen"', () => {
    const events: EventsProbe = { url: 'x', events: 3, types: { status: 2, heartbeat: 1 }, states: ['ONLINE', 'DEGRADED_INPUT'], lastState: 'DEGRADED_INPUT' };
    const r = check(['state=ONLINE', 'state=DEGRADED_INPUT', 'state!=ERROR', 'state=ERROR', 'state!=ONLINE'], [segment(0)], events);
    assert.deepEqual(r.map((e) => e.ok), [true, true, true, false, false]);
    assert.equal(r[3].actual, 'states seen: ONLINE, DEGRADED_INPUT');
  });
});
