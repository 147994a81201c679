// test/trickle.js of a `trickle init` package: runs the real trickle CLI and ffmpeg for the package's test.

/** Child-process plumbing shared by the generated tests; Node built-ins only. */
export function testHelperModule(): string {
  return `// @ts-check
// Test plumbing: the real \`trickle\` CLI (relay, process, publish, subscribe) and ffmpeg, each a
// child process, exactly as on the command line.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** ffmpeg for making and measuring clips: FFMPEG_PATH, else the one on PATH. */
const FFMPEG = process.env.FFMPEG_PATH || 'ffmpeg';

/**
 * @typedef {object} Exit
 * @property {number | null} code exit code (null when killed by a signal)
 * @property {Buffer} stdout
 * @property {string} stderr
 */

/** The trickle CLI of the trickcli this package depends on (bin/trickle.js in its folder). */
export function trickleBin() {
  let dir = path.dirname(createRequire(import.meta.url).resolve('trickcli'));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      if (pkg.name === 'trickcli') return path.join(dir, pkg.bin.trickle);
    }
    if (path.dirname(dir) === dir) throw new Error('trickcli is not installed here: run npm install');
    dir = path.dirname(dir);
  }
}

/**
 * Starts a command; \`done\` resolves when it exits, after at most timeoutMs (then it is killed).
 * \`stderrMatch(re)\` resolves once its stderr matches \`re\`, and rejects if it exits first.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd?: string, timeoutMs?: number }} [options]
 * @returns {{ done: Promise<Exit>, kill(): void, stderrMatch(re: RegExp): Promise<void> }}
 */
export function start(cmd, args, options = {}) {
  const child = spawn(cmd, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  /** @type {Buffer[]} */
  const out = [];
  let stderr = '';
  child.stdout.on('data', (b) => out.push(b));
  child.stderr.on('data', (b) => (stderr += b));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  /** @type {Promise<Exit>} */
  const done = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
  });
  /** @param {RegExp} re */
  const stderrMatch = (re) =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (!re.test(stderr)) return;
        child.stderr.off('data', check);
        resolve(undefined);
      };
      child.stderr.on('data', check);
      check();
      done.then((r) => reject(new Error(cmd + ' exited (' + r.code + ') before printing ' + re + ': ' + r.stderr)), reject);
    });
  return { done, kill: () => child.kill('SIGTERM'), stderrMatch };
}

/**
 * Starts \`trickle ...args\` with this Node.
 * @param {string[]} args
 * @param {{ cwd?: string, timeoutMs?: number }} [options]
 */
export function trickle(args, options) {
  return start(process.execPath, [trickleBin(), ...args], options);
}

/**
 * Starts \`trickle relay --port 0\` (a free port) and resolves once it prints its listening line.
 * \`log()\` is what it printed so far, and says when it exited.
 * @returns {Promise<{ url: string, log(): string, stop(): Promise<void> }>}
 */
export function startRelay() {
  const child = spawn(process.execPath, [trickleBin(), 'relay', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise((resolve) => {
    child.on('close', (code, signal) => {
      stderr += '(trickle relay exited: ' + (code ?? signal) + ')\\n';
      resolve(undefined);
    });
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('trickle relay did not start in 30 s: ' + stderr)), 30_000);
    child.on('error', reject);
    exited.then(() => reject(new Error(stderr)));
    child.stderr.on('data', (b) => {
      stderr += b;
      const m = /listening on (http\\S+)/.exec(stderr);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[1],
        log: () => stderr,
        async stop() {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}

/**
 * Writes a clip of one flat colour: H.264 in MPEG-TS, what trickle channels carry.
 * @param {string} file
 * @param {{ colour: string, width?: number, height?: number, seconds?: number }} clip
 */
export async function makeClip(file, clip) {
  const size = (clip.width ?? 64) + 'x' + (clip.height ?? 48);
  const source = 'color=c=' + clip.colour + ':size=' + size + ':rate=30:duration=' + (clip.seconds ?? 2);
  const r = await start(FFMPEG, ['-v', 'error', '-y', '-f', 'lavfi', '-i', source,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '0', '-g', '15', '-pix_fmt', 'yuv420p', '-f', 'mpegts', file]).done;
  if (r.code !== 0) throw new Error('ffmpeg could not write the clip: ' + r.stderr);
}

/**
 * Whether the processor in folder \`dir\` (its package.json "main") has a load() hook.
 * @param {string} dir
 */
async function hasLoadHook(dir) {
  const mod = await import(pathToFileURL(createRequire(import.meta.url).resolve(dir)).href);
  return typeof mod.default?.load === 'function';
}

/**
 * Runs \`trickle process\` from channel NAME-in to NAME-out of the relay with \`processor\`,
 * publishes \`clip\` into NAME-in in real time, and saves NAME-out to \`output\`.
 * @param {{ relayUrl: string, name: string, processor: string, clip: string, output: string, args?: string[] }} o
 *   \`processor\`: the absolute path of a processor package folder
 */
export async function processClip(o) {
  const channel = (/** @type {string} */ suffix) => o.relayUrl + o.name + '-' + suffix;
  const timeoutMs = 120_000;
  const proc = trickle(['process', '--in', channel('in'), '--out', channel('out'), '--processor', o.processor, '--wait', ...(o.args ?? [])], { timeoutMs });
  const sub = trickle(['subscribe', channel('out'), '--wait', '--start', '0', '-o', o.output], { timeoutMs });
  // Nothing will come out of a process that failed: stop waiting for it.
  proc.done.then((r) => r.code === 0 || sub.kill(), () => sub.kill());
  // Until load() returns, trickle passes frames through untouched; publishing once it has
  // returned (trickle then logs "processor loaded") sends every frame through the processor.
  if (await hasLoadHook(o.processor)) await proc.stderrMatch(/processor loaded/);
  const publish = await trickle(['publish', channel('in'), '-i', o.clip, '--re'], { timeoutMs }).done;
  const [processed, subscribe] = await Promise.all([proc.done, sub.done]);
  return { publish, process: processed, subscribe };
}

/**
 * Decodes every frame of \`file\` and averages its pixels per channel (0..255).
 * @param {string} file
 */
export async function meanColour(file) {
  const [w, h] = [32, 24];
  const r = await start(FFMPEG, ['-v', 'error', '-i', file, '-vf', 'scale=' + w + ':' + h, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']).done;
  if (r.code !== 0) throw new Error('ffmpeg could not decode ' + file + ': ' + r.stderr);
  const sum = [0, 0, 0];
  for (let i = 0; i < r.stdout.length; i++) sum[i % 3] += r.stdout[i];
  const pixels = Math.max(1, r.stdout.length / 3);
  return { r: sum[0] / pixels, g: sum[1] / pixels, b: sum[2] / pixels, frames: r.stdout.length / (w * h * 3) };
}
`;
}
