// The least a Node worker can do per frame: each input segment's bytes go through a child process
// (`cat`, standing in for ffmpeg) and back out as the output segment of the same seq. Plain node:http,
// no parsing, no stats, no promises per chunk. The node-cpu benchmark runs it as the baseline for
// Node's own share of a stream: the same relay, the same feed, the same two socket hops a frame
// (relay → Node → child, child → Node → relay) as `trickle process` with the passthrough processor.
//
// Usage: node floor-worker.js IN_URL OUT_URL (ends when the input channel closes or on SIGINT, and
// then deletes the output channel).
import { spawn } from 'node:child_process';
import http from 'node:http';
import { deleteChannelAndExit, eachSegment, postSegment } from './worker-http.js';

const [inUrl, outUrl] = process.argv.slice(2) as [string, string];
const agent = new http.Agent({ keepAlive: true });
const cat = spawn('cat', [], { stdio: ['pipe', 'pipe', 'inherit'] });

/** The POST of the segment being written, and how many bytes of its input the child still holds. */
let post: http.ClientRequest | undefined;
let pending = 0;
let inputDone = false;
let segmentDone: (() => void) | undefined;

cat.stdout!.on('data', (chunk: Buffer) => {
  post?.write(chunk);
  pending -= chunk.length;
  if (inputDone && pending === 0) segmentDone?.();
});

/** Each input segment through the child and out as the output segment of the same seq. */
function run(): Promise<void> {
  return eachSegment(inUrl, agent, async (res, seq) => {
    const req = postSegment(outUrl, seq, agent);
    post = req;
    inputDone = false;
    const done = new Promise<void>((resolve) => (segmentDone = resolve));
    res.on('data', (chunk: Buffer) => {
      pending += chunk.length;
      cat.stdin!.write(chunk);
    });
    await new Promise<void>((resolve) => res.once('end', resolve));
    inputDone = true;
    if (pending === 0) segmentDone?.();
    await done;
    req.end();
  });
}

const finish = (code: number) => deleteChannelAndExit(outUrl, agent, code);

process.once('SIGINT', () => finish(0));
run().then(
  () => finish(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
