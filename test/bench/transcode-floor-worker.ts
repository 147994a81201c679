// The least a Node worker can do per frame with trickle's own parsing and the same transcoder child as
// `trickle process --processor passthrough`: the input's video PES go to the transcoding ffmpeg as NUT
// packets, its packets come back, are muxed into MPEG-TS with the input's audio copied in, cut into
// segments at keyframes and POSTed. Every step is a plain callback on the chunk in hand: no stream
// objects between the stages, no promise per chunk, no stats, no restarts, no stall handling, no
// backpressure; V8 is set up as for trickle's stream commands. The node-cpu benchmark runs it beside
// the floor worker (no parsing at all) and trickle itself, so Node's share splits into what the I/O
// costs, what the parsing adds, and what the rest of trickle's pipeline adds on top of both.
//
// Usage: node transcode-floor-worker.js IN_URL OUT_URL (ends when the input channel closes or on
// SIGINT, and then deletes the output channel).
import http from 'node:http';
import { optimizeHotCodeSooner } from '../../src/cli/hot-code.js';
import { startMajorGcByOldGenerationGrowth } from '../../src/cli/major-gc.js';
import { deleteChannelAndExit, eachSegment, postSegment } from './worker-http.js';

// The same V8 settings as trickle's stream commands, set before the per-frame code is loaded.
optimizeHotCodeSooner();
startMajorGcByOldGenerationGrowth();
const { spawnFfmpeg } = await import('../../src/media/ffmpeg.js');
const { to90k } = await import('../../src/media/nut-frames.js');
const { NutDemuxer } = await import('../../src/media/nut/demuxer.js');
const { NutMuxer } = await import('../../src/media/nut/muxer.js');
const { mediaSettings } = await import('../../src/media/settings-check.js');
const { TsDemuxer } = await import('../../src/media/ts/demuxer.js');
const { TsMuxer } = await import('../../src/media/ts/muxer.js');
const { TsSegmenter } = await import('../../src/media/ts/segmenter.js');
const { NUT_VIDEO_FOURCC } = await import('../../src/media/ts/stream-types.js');
const { videoTranscoderArgs } = await import('../../src/media/transcoder-args.js');

const [inUrl, outUrl] = process.argv.slice(2) as [string, string];
const agent = new http.Agent({ keepAlive: true });
const media = mediaSettings({});
// Its stderr is not read here, so it goes nowhere rather than into a pipe that could fill.
const transcoder = spawnFfmpeg(videoTranscoderArgs(media, { width: media.width, height: media.height }), { extra: { stderr: 'ignore' } });
transcoder.stdin!.on('error', () => undefined);

const demuxer = new TsDemuxer();
const packets = new NutDemuxer();
const ts = new TsMuxer({ codec: 'aac' });
/** The NUT muxer of the transcoder's input, once the input's video codec is known. */
let nut: InstanceType<typeof NutMuxer> | undefined;
/** Copied audio goes out only after the first video packet (its PAT/PMT open the output). */
let videoOut = false;
let outSeq = 0;
let post: http.ClientRequest | undefined;

const segmenter = new TsSegmenter({
  onSegmentStart() {
    post = postSegment(outUrl, outSeq++, agent);
    post.flushHeaders();
  },
  onData: (bytes) => post?.write(bytes),
  onSegmentEnd: () => post?.end(),
});

transcoder.stdout!.on('data', (chunk: Buffer) => {
  const out = packets.push(chunk);
  if (!videoOut && packets.ready && out.length) ts.setVideoHeader(packets.streams[0]?.extradata ?? new Uint8Array(0));
  for (const p of out) {
    segmenter.push(ts.video({ pts: to90k(p.pts, packets.streams[p.stream]!.timeBase), key: p.key, data: p.data }));
    videoOut = true;
  }
});
transcoder.stdout!.on('end', () => {
  segmenter.end();
  finish(0);
});

function input(chunk: Buffer): void {
  for (const e of demuxer.push(chunk)) {
    if (e.type === 'program') {
      if (e.program.audio && !ts.copiesAudio) ts.copyAudio(e.program.audio);
      continue;
    }
    const { pes } = e;
    if (pes.stream.kind === 'video' && pes.pts !== undefined) {
      if (!nut) {
        nut = new NutMuxer([{ kind: 'video', width: 16, height: 16, fourcc: NUT_VIDEO_FOURCC[pes.stream.codec]! }]);
        transcoder.stdin!.write(nut.header());
      }
      transcoder.stdin!.cork();
      transcoder.stdin!.write(nut.frameHeader(0, pes.pts, pes.data.length, pes.randomAccess));
      transcoder.stdin!.write(pes.data);
      transcoder.stdin!.uncork();
    } else if (pes.stream.kind === 'audio' && pes.pts !== undefined && videoOut && ts.copiesAudio) {
      segmenter.push(ts.audioCopy({ pts: pes.pts, dts: pes.dts, data: pes.data }, pes.streamId));
    }
  }
}

/** The input's bytes into the demuxer as they arrive; the transcoder's input ends with the channel. */
async function run(): Promise<void> {
  await eachSegment(inUrl, agent, async (res) => {
    res.on('data', input);
    await new Promise<void>((resolve) => res.once('end', resolve));
  });
  transcoder.stdin!.end();
}

let finished = false;
/** Closes the output channel (its readers see the end), then exits. */
function finish(code: number): void {
  if (finished) return;
  finished = true;
  transcoder.kill('SIGKILL');
  deleteChannelAndExit(outUrl, agent, code);
}

process.once('SIGINT', () => finish(0));
run().catch((err: unknown) => {
  console.error(err);
  finish(1);
});
