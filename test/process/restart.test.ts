// `trickle process` outlives its ffmpeg children: each kind SIGKILLed mid-stream is restarted; the fourth death within 120 s ends it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CHILD_KINDS, findChild, killChild, type ChildKind } from '../helpers/children.js';
import { decodeErrors } from '../helpers/media.js';
import { relayAndScratch } from './fixture.js';
import { makeClip, missingInSpan, probe, videoPts, waitForSegments } from './media.js';
import { runProcessOnClip, type ProcessRun } from './run.js';

/** The input's keyframe interval (1 s at 30 fps), and the output's (--gop 1). */
const GOP_FRAMES = 30;
let clip: string;
let longClip: string;
const fx = relayAndScratch(async ({ dir }) => {
  clip = path.join(fx.dir, 'in.ts');
  longClip = path.join(fx.dir, 'long.ts');
  await makeClip(clip, { width: 160, height: 120, rate: 30, seconds: 14, channels: 2, gop: 1 });
  await makeClip(longClip, { width: 160, height: 120, rate: 30, seconds: 18, channels: 2, gop: 1 });
});

/** The longest run of input pts missing from the output, and the pts the output resumed at after it. */
function longestGap(input: number[], output: number[]): { length: number; resumedAt?: number } {
  const seen = new Set(output);
  let best = { length: 0, resumedAt: undefined as number | undefined };
  let run = 0;
  for (const p of input.filter((x) => x >= output[0] && x <= output[output.length - 1])) {
    if (!seen.has(p)) run++;
    else {
      if (run > best.length) best = { length: run, resumedAt: p };
      run = 0;
    }
  }
  return best;
}

type Event = { event: { type: string; fatal?: boolean; child?: string; message?: string; inference_status?: { restart_count: number } } };

/**
 * Runs a stream of `file` and SIGKILLs children of the kinds in `kills`, one after another, once
 * its output has begun. The video decoder and encoder run for a processor that reads frames
 * (grayscale); without a video() hook (passthrough) the video goes through a transcoder instead.
 */
function runWithKills(name: string, file: string, kills: ChildKind[]): Promise<ProcessRun> {
  const framesRead = kills.some((k) => k === 'video decoder' || k === 'video encoder');
  return runProcessOnClip({
    relayUrl: fx.relay.url,
    name,
    clip: file,
    processor: framesRead ? 'grayscale' : 'passthrough',
    // Audio children run only when audio is re-encoded; video children are killed under passthrough audio.
    args: ['--gop', '1', ...(kills.some((k) => k.startsWith('audio')) ? ['--audio', 'encode'] : [])],
    withEvents: true,
    timeoutMs: 180_000,
    during: async ({ out, pid }) => {
      // A steady stream (its start-up backlog drained) with most of the input still to come.
      await waitForSegments(out, 3);
      const killed: number[] = [];
      // Each kill waits for a child the previous kills have not already taken (a replacement),
      // and each death but the last for its own replacement, so that the worker has seen the
      // deaths in the order they were made (two kills of different kinds a few ms apart could
      // otherwise be noticed the other way round).
      for (const [i, kind] of kills.entries()) {
        killed.push(await killChild(pid, kind, { not: killed }));
        if (i < kills.length - 1) await findChild(pid, kind, { not: killed });
      }
    },
  });
}

for (const kind of [...CHILD_KINDS, 'video transcoder'] as const) {
  test(`a SIGKILLed ${kind} is restarted and the stream goes on: output decodes, segments start with keyframes, at most a GOP lost`, async () => {
    const r = await runWithKills(kind.replace(' ', '-'), clip, [kind]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`ffmpeg ${kind} was killed by SIGKILL; restarted \\(1 of 3 restarts within 120 s\\)`));

    const events = (r.events as Event[]).map((e) => e.event);
    const restarts = events.filter((e) => e.type === 'error');
    assert.deepEqual(
      restarts.map((e) => [e.fatal, e.child]),
      [[false, kind]],
    );
    const counts = events.filter((e) => e.type === 'status').map((e) => e.inference_status!.restart_count);
    assert.equal(Math.max(...counts), 1, `restart_count over time: ${counts.join(',')}`);

    const file = path.join(fx.dir, `${kind.replace(' ', '-')}.ts`);
    await writeFile(file, r.output);
    assert.equal(await decodeErrors(file), '', 'the whole output decodes');
    for (const [i, seg] of r.segments.entries()) {
      const p = await probe(seg);
      const v = p.streams.findIndex((s) => s.codec_type === 'video');
      assert.ok(p.packets.find((x) => x.stream === v)?.key, `segment ${i} starts with a keyframe`);
      const one = path.join(fx.dir, `${kind.replace(' ', '-')}-${i}.ts`);
      await writeFile(one, seg);
      assert.equal(await decodeErrors(one), '', `segment ${i} decodes alone`);
    }

    // The restart's cost is the longest run of input frames missing from the output (the input's
    // last segment may be gone before a lagging reader gets it, so the tail is not counted; a
    // busy machine's queue may drop a frame here and there by design, never a run like this).
    const [input, ptsIn, ptsOut] = [await probe(clip), await videoPts(clip), await videoPts(r.output)];
    const gap = longestGap(ptsIn, ptsOut);
    // A video decoder (or transcoder) resumes at the input's next keyframe: up to a GOP, plus what
    // the dead child had been given but not decoded yet (on a busy machine up to the second of lag
    // the queue allows before it drops); an encoder loses what it held, never more than a GOP.
    const resumesAtKey = kind === 'video decoder' || kind === 'video transcoder';
    const bound = resumesAtKey ? 2 * GOP_FRAMES : GOP_FRAMES;
    const summary = /input ended: .*/.exec(r.stderr)?.[0];
    assert.ok(gap.length <= bound, `${gap.length} frames lost in a row to the restart (at most ${bound}); ${summary}`);
    if (resumesAtKey) {
      const v = input.streams.findIndex((s) => s.codec_type === 'video');
      const keys = new Set(input.packets.filter((p) => p.stream === v && p.key).map((p) => p.pts));
      assert.ok(gap.resumedAt !== undefined && keys.has(gap.resumedAt), `the new decoder began at an input keyframe (${gap.resumedAt})`);
    }
    const missing = missingInSpan(ptsIn, ptsOut);
    assert.ok(ptsOut.length >= 0.8 * ptsIn.length - missing, `${ptsOut.length} of ${ptsIn.length} frames out`);
  });
}

test('the fourth death within 120 s ends the stream: exit 1 and a message naming the child and how often it died', async () => {
  const r = await runWithKills('budget', longClip, ['video encoder', 'audio encoder', 'video decoder', 'video encoder']);
  assert.equal(r.exitCode, 1, r.stderr);
  const message = "ffmpeg video encoder died 2 times within 120 s (the stream's ffmpeg children 4 times), over the restart budget of 3 per 120 s (last: was killed by SIGKILL)";
  assert.ok(r.stderr.includes(message), r.stderr);
  const events = (r.events as Event[]).map((e) => e.event);
  assert.deepEqual(
    events.filter((e) => e.type === 'error').map((e) => [e.fatal, e.child]),
    [
      [false, 'video encoder'],
      [false, 'audio encoder'],
      [false, 'video decoder'],
      [true, undefined],
    ],
  );
  assert.equal(events.filter((e) => e.type === 'error').pop()?.message, message);
});
