// test/processor.test.js of a `trickle init` package: the processor through the real relay and `trickle process`.

interface Expectation {
  /** The test's title. */
  title: string;
  /** Extra `trickle process` flags. */
  args: string[];
  /** JS expressions of `input` (the input's mean colour) giving the expected output R, G, B. */
  r: string;
  g: string;
  b: string;
}

const WARM: Expectation = {
  title: 'warmth 0.5 scales red by 1.5 and blue by 0.5 in the decoded output; green stays',
  args: ["'--param'", "'warmth=0.5'"],
  r: 'Math.min(255, input.r * 1.5)',
  g: 'input.g',
  b: 'input.b * 0.5',
};

const INVERT: Expectation = {
  title: 'the model turns every channel into its negative (255 - value) in the decoded output',
  args: [],
  r: '255 - input.r',
  g: '255 - input.g',
  b: '255 - input.b',
};

/** The package's one test: generate a clip, process it, decode the output, compare mean colours. */
export function processorTest(name: string, model: boolean): string {
  const e = model ? INVERT : WARM;
  return `// @ts-check
// Runs this package's processor through the real \`trickle process\` between two channels of a
// real \`trickle relay\`, on a generated clip of one colour, and checks the colour that comes out.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeClip, meanColour, processClip, startRelay } from './trickle.js';

/** This package's folder: trickle loads it through package.json "main", as \`--processor ./\` does. */
const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
/** R 96, G 64, B 192: every channel far from 0, 128 and 255, so no change is clipped or hidden. */
const COLOUR = '0x6040c0';
/** Mean-colour tolerance: H.264 and the YUV round trip move a flat colour by a few levels. */
const TOLERANCE = 6;

/** @type {{ url: string, log(): string, stop(): Promise<void> }} */
let relay;
/** @type {string} */
let dir;
/** @type {string} */
let clip;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), '${name.replace(/^@[^/]*\//, '')}-test-'));
  clip = path.join(dir, 'in.ts');
  [relay] = await Promise.all([startRelay(), makeClip(clip, { colour: COLOUR, width: 64, height: 48, seconds: 2 })]);
});

after(async () => {
  await relay?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('${e.title}', { timeout: 180_000 }, async () => {
  const output = path.join(dir, 'out.ts');
  const run = await processClip({ relayUrl: relay.url, name: 'test', processor: PACKAGE, clip, output, args: [${e.args.join(', ')}] });
  assert.equal(run.publish.code, 0, 'trickle publish: ' + run.publish.stderr + '\\ntrickle relay: ' + relay.log());
  assert.equal(run.process.code, 0, 'trickle process: ' + run.process.stderr);
  assert.equal(run.subscribe.code, 0, 'trickle subscribe: ' + run.subscribe.stderr);

  const input = await meanColour(clip);
  const out = await meanColour(output);
  assert.ok(out.frames >= input.frames * 0.8, out.frames + ' of ' + input.frames + ' frames came out');
  const expected = { r: ${e.r}, g: ${e.g}, b: ${e.b} };
  for (const c of /** @type {const} */ (['r', 'g', 'b'])) {
    const got = out[c].toFixed(1), want = expected[c].toFixed(1), from = input[c].toFixed(1);
    assert.ok(Math.abs(out[c] - expected[c]) <= TOLERANCE, c.toUpperCase() + ': ' + from + ' became ' + got + ', expected ' + want);
  }
});
`;
}
