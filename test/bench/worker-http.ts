// What the benchmark's baseline workers share: one GET of an input segment and the end of the output channel.
import http from 'node:http';

/** One segment of a channel, its response as it starts (plain node:http, keep-alive `agent`). */
export function getSegment(channel: string, seq: number, agent: http.Agent): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => http.get(`${channel}/${seq}`, { agent }, resolve).on('error', reject));
}

/** True when the answer ends the input: a missing segment or the channel closed. */
export function endsInput(res: http.IncomingMessage): boolean {
  return res.statusCode !== 200 || res.headers['lp-trickle-closed'] !== undefined;
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
