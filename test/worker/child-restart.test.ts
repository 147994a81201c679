// Under `trickle serve` one stream's ffmpeg restart never touches another stream, and streams started together all start.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, it } from 'node:test';
import { killChild } from '../helpers/children.js';
import { spawnCli } from '../helpers/cli.js';
import { until } from '../helpers/until.js';
import { relayAndScratch } from '../process/fixture.js';
import { captureSegments, makeClip, missingInSpan, publishFile, videoPts, waitForSegments } from '../process/media.js';
import { api, spawnServe, waitForHealth, type ServeChild } from './serve-child.js';

let serve: ServeChild;
let clip: string;
const fx = relayAndScratch(async ({ dir }) => {
  clip = path.join(dir, 'in.ts');
  await makeClip(clip, { width: 160, height: 120, rate: 30, seconds: 10, channels: 2, gop: 1 });
  serve = await spawnServe(['--processor', 'passthrough', '--capacity', '10']);
  await waitForHealth(serve.url, 'IDLE');
});

after(async () => {
  await serve?.stop();
});

const ch = (name: string) => new URL(name, fx.relay.url).href;

it("killing one stream's video transcoder (passthrough reads no frames) restarts only that stream's child; the other stream loses no frame", async () => {
  const input = await videoPts(clip);
  const outputs = ['a', 'b'].map((id) => captureSegments(ch(`out-${id}`)));
  // Each stream's size (a param) shows in its transcoder's arguments: that is how A's child is found.
  const sizes = { a: [160, 120], b: [176, 144] } as const;
  // The orchestrator creates input channels before /stream/start.
  const publishing = Promise.all(['a', 'b'].map((id) => publishFile(ch(`in-${id}`), clip, { re: true })));
  for (const id of ['a', 'b']) await until(`in-${id} exists`, async () => ((await fetch(ch(`in-${id}/next`))).status === 200 ? true : undefined));
  for (const id of ['a', 'b'] as const) {
    const r = await api(serve.url, '/stream/start', {
      headers: { 'x-stream-id': id },
      body: { gateway_request_id: id, subscribe_url: ch(`in-${id}`), publish_url: ch(`out-${id}`), params: { width: sizes[id][0], height: sizes[id][1] } },
    });
    assert.equal(r.status, 200, r.text);
  }
  await waitForSegments(ch('out-a'), 2);
  await killChild(serve.child.pid!, 'video transcoder', { match: /scale=160:120/ });
  const restarts = async (id: string) => (await api(serve.url, '/stream/status', { headers: { 'x-stream-id': id } })).json?.stats?.restarts as number | undefined;
  await until('A counts its restart', async () => ((await restarts('a')) === 1 ? true : undefined));
  assert.equal(await restarts('b'), 0);
  await publishing;
  const [a, b] = await Promise.all(outputs);
  const [outA, outB] = [await videoPts(Buffer.concat(a)), await videoPts(Buffer.concat(b))];
  const lostA = missingInSpan(input, outA);
  // The restarted transcoder resumes at the input's next keyframe (up to a GOP of 30 frames), plus what the
  // dead child had been given but not encoded yet (on a busy machine up to the second of lag allowed).
  assert.ok(lostA > 0 && lostA <= 60, `A lost ${lostA} frames to its restart (at most a GOP and what the dead transcoder held)`);
  assert.equal(missingInSpan(input, outB), 0, 'B lost nothing');
  assert.ok(outB.length >= 0.8 * input.length, `B: ${outB.length} of ${input.length} frames`);
  assert.match(serve.stderr(), /ffmpeg video transcoder was killed by SIGKILL; restarted \(1 of 3 restarts within 120 s\) stream=a/);
});

it('ten streams started at once (ten ffmpeg transcoders, the audio passed through, on a busy machine) all produce output: a slow child delays its stream, never loses it', async () => {
  const ids = Array.from({ length: 10 }, (_, i) => `many${i}`);
  // Live inputs that go on until every stream has shown output, however long a busy machine takes.
  const publishers = ids.map((id) => spawnCli(['publish', ch(`in-${id}`), '-i', clip, '--re', '--loop']));
  try {
    for (const id of ids) await until(`in-${id} exists`, async () => ((await fetch(ch(`in-${id}/next`))).status === 200 ? true : undefined), 60_000);
    const started = await Promise.all(
      ids.map((id) => api(serve.url, '/stream/start', { headers: { 'x-stream-id': id }, body: { gateway_request_id: id, subscribe_url: ch(`in-${id}`), publish_url: ch(`out-${id}`) } })),
    );
    assert.deepEqual(started.map((r) => r.status), ids.map(() => 200));
    await Promise.all(ids.map((id) => waitForSegments(ch(`out-${id}`), 2, 180_000)));
    const status = await api(serve.url, '/stream/status');
    assert.equal(status.json.streams.length, 10, 'all ten still running');
    assert.doesNotMatch(serve.stderr(), /stream ended stream=\S+ reason=error|stream failed to start/);
    await Promise.all(ids.map((id) => api(serve.url, '/stream/stop', { headers: { 'x-stream-id': id } })));
  } finally {
    for (const p of publishers) p.kill('SIGTERM');
    await Promise.allSettled(publishers);
  }
});
