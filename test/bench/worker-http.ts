// What the benchmark's baseline workers share: reading the input channel segment by segment, a POST
// per output segment, and the end of the output channel.
import http from 'node:http';
import { waitForChannel } from '../../src/pipeline/wait-channel.js';

/** One segment of a channel, its response as it starts (plain node:http, keep-alive `agent`). */
function getSegment(channel: string, seq: number, agent: http.Agent): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => http.get(`${channel}/${seq}`, { agent }, resolve).on('error', reject));
}

/** True when the answer ends the input: a missing segment or the channel closed. */
function endsInput(res: http.IncomingMessage): boolean {
  return res.statusCode !== 200 || res.headers['lp-trickle-closed'] !== undefined;
}

/**
 * Reads `channel` from its segment 0 once it exists, one GET at a time, handing each segment's
 * response to `each` (which resolves once it is done with it) until the input ends.
 */
export async function eachSegment(channel: string, agent: http.Agent, each: (res: http.IncomingMessage, seq: number) => Promise<void>): Promise<void> {
  if (!(await waitForChannel(channel))) return;
  for (let seq = 0; ; seq++) {
    const res = await getSegment(channel, seq, agent);
    if (endsInput(res)) {
      res.resume();
      return;
    }
    await each(res, seq);
  }
}

/** Closes the output channel (its readers see the end), then exits with `code`. */
export function deleteChannelAndExit(channel: string, agent: http.Agent, code: number): void {
  const del = http.request(channel, { method: 'DELETE', agent }, (r) => r.resume().on('end', () => process.exit(code)));
  del.on('error', () => process.exit(code));
  del.end();
}

/** A streamed POST of one output segment (chunked, no Nagle delay); its answer is read and dropped. */
export function postSegment(channel: string, seq: number, agent: http.Agent): http.ClientRequest {
  const req = http.request(`${channel}/${seq}`, { method: 'POST', agent, headers: { 'content-type': 'video/mp2t', 'transfer-encoding': 'chunked' } });
  req.on('response', (r) => r.resume());
  req.on('error', () => undefined);
  req.setNoDelay(true);
  return req;
}
