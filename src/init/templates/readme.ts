// README.md of a `trickle init` package: what it does, how to install, test and run it, the dependency.

export interface ReadmeOptions {
  name: string;
  model: boolean;
  /** The dependency spec for trickcli written into package.json. */
  trickcliSpec: string;
}

function intro(name: string, model: boolean): string {
  return model
    ? `# ${name}

A processor for \`trickle\` (npm package \`trickcli\`) that runs an ONNX model on every frame of live
video. The model it ships, \`model/invert.onnx\`, turns each frame into its colour negative; swap in
your own (see "Your own model"). \`trickle\` decodes each frame, hands it to \`index.js\` as RGB bytes,
then encodes and publishes what comes back.
`
    : `# ${name}

A processor for \`trickle\` (npm package \`trickcli\`): it warms live video, scaling red by
\`1 + warmth\` and blue by \`1 - warmth\` on every frame. \`warmth\` defaults to 0.2 and can change
while a stream runs. \`trickle\` decodes each frame, hands it to \`index.js\` as RGB bytes, then
encodes and publishes what comes back.
`;
}

function layout(model: boolean): string {
  const modelRow = model ? '| `model/invert.onnx` | the ONNX model `index.js` loads (see "Your own model") |\n' : '';
  const testExpectation = model
    ? "the input's negative (255 minus each channel)"
    : "the input's: red × 1.5 and blue × 0.5 (the test passes `--param warmth=0.5`), green unchanged";
  return `
## What is here

| file | what it is |
|---|---|
| \`index.js\` | the processor: an ES module, no build step; \`// @ts-check\` and trickcli's types check it in your editor |
${modelRow}| \`test/processor.test.js\` | the test: a real \`trickle relay\`, a generated clip, the real \`trickle process\`, the decoded output's colour |
| \`test/trickle.js\` | test plumbing: starts the trickle CLI and ffmpeg as child processes |
| \`package.json\` | scripts (\`test\`, \`demo\`, \`start\`, \`serve\`) and the \`trickcli\` dependency |
| \`.npmrc\` | installs without install scripts and without a lock file (see "The trickcli dependency") |

## Install and test

Needs Node.js 20 or newer and \`ffmpeg\` on \`PATH\` (or \`FFMPEG_PATH\`), as \`trickle\` itself does.

\`\`\`sh
npm install      # offline: node_modules/trickcli becomes a link, nothing is downloaded
npm test         # node --test: relay + 2 s clip + trickle process + a check of the output's colour
\`\`\`

The test publishes a 2-second clip of one flat colour into a channel of a \`trickle relay\` it
starts on a free port, runs \`trickle process --processor <this folder>\` into a second channel,
saves that channel with \`trickle subscribe\`, decodes it with ffmpeg and compares the mean colour
with ${testExpectation}.
`;
}

function run(name: string, model: boolean): string {
  const paramFlag = model ? '' : ' --param warmth=0.5';
  const liveUpdate = model ? '' : '\n' + `To change \`warmth\` while it runs, add \`--control http://127.0.0.1:3389/in-control\` to
\`npm start\` and publish a JSON message:

\`\`\`sh
echo '{"warmth":0.6}' | npx trickle publish http://127.0.0.1:3389/in-control --text
\`\`\`
`;
  return `
## Run it

\`\`\`sh
npm run demo                 # trickle demo --processor ./ : relay + test pattern + this processor → demo-output.ts
ffplay demo-output.ts
\`\`\`

Between two channels of a relay, live:

\`\`\`sh
npx trickle relay &
npx trickle publish http://127.0.0.1:3389/in -i movie.mp4 --re --loop &
npm start -- --in http://127.0.0.1:3389/in --out http://127.0.0.1:3389/out${paramFlag}
npx trickle subscribe http://127.0.0.1:3389/out | ffplay -
\`\`\`

\`npm start -- …\` is \`trickle process --processor ./ …\`: every \`trickle process\` flag works
(\`--width/--height\`, \`--max-framerate\`, \`--control\`, \`--events\`, \`--device\`, …).
${liveUpdate}
As a worker that a Livepeer orchestrator drives (the PyTrickle-compatible HTTP API on port 8080):

\`\`\`sh
npm run serve                # trickle serve --processor ./
\`\`\`

From another project, install this package there and pass its name: \`--processor ${name}\`.
`;
}

function hooks(model: boolean): string {
  return model
    ? `
## The hooks

\`index.js\` default-exports \`defineProcessor({...})\`; every hook is optional, sync or async:

| hook | when | here |
|---|---|---|
| \`load(ctx)\` | once per process, before any stream (frames pass through until it returns) | \`createSession('model/invert.onnx', { device: ctx.device })\` |
| \`start(params, ctx)\` | once per stream | a runner: this stream's input and output buffers |
| \`video(frame, ctx)\` | every video frame: \`frame.data\` is \`width*height*3\` bytes, R,G,B row by row | \`frameToTensor\` → model → \`tensorToFrame\` |
| \`stop(ctx)\` | the stream ended | frees the runner (the model stays loaded) |

\`audio(frame, ctx)\` and \`update(changed, ctx)\` exist too (see trickcli's README); without them,
audio passes through and params changes are only merged into \`ctx.params\`. A hook that throws
costs one frame: the input passes on and an \`error\` event goes out, the stream keeps running.
`
    : `
## The hooks

\`index.js\` default-exports \`defineProcessor({...})\`; every hook is optional, sync or async:

| hook | when | here |
|---|---|---|
| \`load(ctx)\` | once per process, before any stream (frames pass through until it returns) | logs the device |
| \`start(params, ctx)\` | once per stream | builds lookup tables for \`warmth\` in \`ctx.state\` |
| \`video(frame, ctx)\` | every video frame: \`frame.data\` is \`width*height*3\` bytes, R,G,B row by row | rewrites red and blue in place |
| \`audio(frame, ctx)\` | every block of audio: \`Float32Array\` interleaved samples | (absent: audio passes through) |
| \`update(changed, ctx)\` | a live params change; \`ctx.params\` already holds the merged params | rebuilds the tables |
| \`stop(ctx)\` | the stream ended | logs it |

Returning nothing from \`video\` sends the (changed) input frame on; returning a new frame, of any
size, replaces it. \`format\` picks the pixel format frames arrive in (and leave in): \`rgb24\` here;
\`rgba\`, \`yuv420p\` and \`gray\` are the others (see trickcli's README for when each is cheapest). A hook that throws costs one frame: the input passes on and an \`error\` event
goes out, the stream keeps running. \`params\` declares the parameters and their defaults, which
also fix their types: \`--param warmth=0.5\` arrives as a number.
`;
}

function yourModel(): string {
  return `
## Your own model

\`model/invert.onnx\` is a 135-byte ONNX graph with one node, \`out = 1 - image\`, over float32
\`[1,3,H,W]\` (any H and W): planar RGB in [0,1] in, the same out. To use another model, put its
file in \`model/\` and change \`MODEL\` in \`index.js\`; the input and output names are read from the
model. Then fit \`FORMAT\` to what the model expects:

- \`{ layout: 'nhwc' }\` for \`[1,H,W,3]\`; \`scale: 255\` for values in [0,255];
  \`mean\`/\`std\` (per channel R,G,B) for normalised inputs;
- a model with a fixed input size: add \`--width W --height H\` to \`trickle process\`, or resize
  yourself; an output of another size: \`tensorToFrame(data, frame, FORMAT, { width, height })\`.

\`--device auto\` (the default) uses CUDA when onnxruntime can, else the CPU; \`--device cpu\` or
\`--device cuda:0\` choose. CUDA needs \`npm run setup:gpu\` in the trickcli folder once, on a host
with internet, an NVIDIA driver, CUDA 12 and cuDNN 9. \`npx trickle doctor\` shows what loads.
`;
}

function dependency(spec: string): string {
  return `
## The trickcli dependency

\`package.json\` depends on \`"trickcli": "${spec}"\`, the trickcli whose \`trickle init\` wrote
this folder. For a \`file:\` folder, npm makes \`node_modules/trickcli\` a symbolic link to it: it
copies nothing, downloads nothing and installs none of trickcli's own dependencies. Node follows
the link and finds those where trickcli already has them (in a \`node_modules\` beside or above
it). So \`npm install\` here works offline and in about a second, and this package always runs
that exact trickcli build: rebuild it there and the change shows here.

\`.npmrc\` turns install scripts off, and the lock file too: a lock file would only record this
machine's path.

If that folder moves, point the dependency at its new place
(\`npm install file:/new/path/to/trickle\`). Once trickcli comes from a registry, depend on a
version (\`npm install trickcli@^0.1.0\`) and delete \`package-lock=false\` from \`.npmrc\`.
`;
}

/** The README, Markdown. */
export function readme(o: ReadmeOptions): string {
  return [intro(o.name, o.model), layout(o.model), run(o.name, o.model), hooks(o.model), o.model ? yourModel() : '', dependency(o.trickcliSpec)].join('');
}
