// The /stream/* handlers: start (and /live-video-to-video), stop, params, status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isTrickleError } from '../errors.js';
import type { Logger } from '../logger.js';
import { BodyError, readBody, readJson } from './body.js';
import { sendError, sendJson } from './replies.js';
import type { WorkerState } from './state.js';
import type { SessionCallbacks, SessionChannels } from '../register/live-runner/sessions.js';
import { StartRefused, type StreamManager, type WorkerStream } from './streams.js';
import { normalizeParams, parseStartRequest, ValidationError, withSessionChannels } from './validate.js';

export interface StreamRouteContext {
  state: WorkerState;
  streams: StreamManager;
  log: Logger;
  /** Reads the orchestrator session a request came through, and makes its channels. */
  sessions: SessionCallbacks;
}

type Handler = (ctx: StreamRouteContext, req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

const headerId = (req: IncomingMessage): string | undefined => {
  const v = req.headers['x-stream-id'];
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.trim() ? s.trim() : undefined;
};

function bodyId(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  for (const k of ['gateway_request_id', 'stream_id']) if (typeof b[k] === 'string' && b[k]) return b[k] as string;
  return undefined;
}

const message = (err: unknown): string => (err as Error)?.message ?? String(err);

/** Answers a failed lookup: 400 when nothing runs (PyTrickle), 404 for an unknown id, 400 when ambiguous. */
function lookupFailed(ctx: StreamRouteContext, req: IncomingMessage, res: ServerResponse, error: 'none' | 'ambiguous' | 'unknown', id: string | undefined, none: string): void {
  if (error === 'none') return sendError(req, res, 400, none);
  if (error === 'unknown') return sendError(req, res, 404, `Stream ${id} not found`);
  sendError(req, res, 400, `${ctx.streams.count} streams are active; name one with the X-Stream-Id header`);
}

const start: Handler = async (ctx, req, res) => {
  // PyTrickle checks readiness before it reads the body.
  if (!ctx.state.ready) {
    return sendError(req, res, 503, 'Pipeline is still initializing. Please wait for IDLE status.', { current_state: ctx.state.snapshot() });
  }
  const session = ctx.sessions.fromHeaders(req.headers);
  let stream: WorkerStream;
  let channels: SessionChannels | undefined;
  try {
    let request = parseStartRequest(await readJson(req), { inSession: session !== undefined });
    ctx.streams.admit(request, headerId(req), session);
    if (session && !request.subscribeUrl) {
      try {
        channels = await ctx.sessions.openChannels(session);
      } catch (err) {
        return sendError(req, res, 502, `Error starting stream: ${message(err)}`, { current_state: ctx.state.snapshot() });
      }
      request = withSessionChannels(request, channels.worker);
    }
    stream = ctx.streams.start(request, headerId(req), session, channels);
  } catch (err) {
    if (session && channels) void ctx.sessions.closeChannels(session, channels.names);
    if (err instanceof BodyError && err.status === 413) return sendError(req, res, 413, `Error starting stream: ${err.message}`);
    if (err instanceof StartRefused && err.reason === 'capacity') {
      return sendError(req, res, 503, 'Pipeline is still in use', { current_state: ctx.state.snapshot() });
    }
    return sendError(req, res, 400, `Error starting stream: ${message(err)}`, { current_state: ctx.state.snapshot() });
  }
  sendJson(req, res, 200, {
    status: 'success',
    message: 'Stream started successfully',
    request_id: stream.request.gatewayRequestId,
    stream_id: stream.id,
    current_state: ctx.state.snapshot(),
    // In a session: where the client publishes its video (in) and reads the result (out), events and control.
    ...(session ? { session_id: session.id } : {}),
    ...(channels ? { channels: { in: channels.client.publish, out: channels.client.subscribe, control: channels.client.control, events: channels.client.events, data: channels.client.data } } : {}),
  });
};

const stop: Handler = async (ctx, req, res) => {
  let body: unknown;
  try {
    // The orchestrator sends arbitrary text (or nothing); only a JSON object can name the stream.
    const text = (await readBody(req)).toString('utf8');
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  } catch (err) {
    if (err instanceof BodyError) return sendError(req, res, err.status, `Error stopping stream: ${err.message}`);
    throw err;
  }
  const id = headerId(req) ?? bodyId(body);
  const found = ctx.streams.find(id);
  if (!('stream' in found)) return lookupFailed(ctx, req, res, found.error, found.id, 'No active stream to stop');
  try {
    await ctx.streams.stop(found.stream);
  } catch (err) {
    return sendError(req, res, 500, `Error stopping stream: ${message(err)}`);
  }
  sendJson(req, res, 200, { status: 'success', message: 'Stream stopped successfully' });
};

const params: Handler = async (ctx, req, res) => {
  let update: Record<string, unknown>;
  let id: string | undefined;
  try {
    const body = await readJson(req);
    update = normalizeParams(body);
    id = headerId(req) ?? bodyId(body);
    delete update.gateway_request_id;
    delete update.stream_id;
  } catch (err) {
    const status = err instanceof BodyError ? err.status : 400;
    return sendError(req, res, status, `Parameter update failed: ${message(err)}`);
  }
  const found = ctx.streams.find(id);
  if (!('stream' in found)) return lookupFailed(ctx, req, res, found.error, found.id, 'No active stream to update');
  try {
    await ctx.streams.update(found.stream, update);
  } catch (err) {
    // Params the stream refuses (a frame too large, a value of the wrong type) were not applied.
    const status = err instanceof ValidationError || isTrickleError(err, 'TRICKLE_USAGE') ? 400 : 500;
    return sendError(req, res, status, `Parameter update failed: ${message(err)}`);
  }
  sendJson(req, res, 200, { status: 'success', message: 'Parameters updated successfully' });
};

/** One stream's part of /stream/status. */
export function streamStatus(s: WorkerStream): Record<string, unknown> {
  const st = s.pipeline.stats();
  const r = s.request;
  return {
    stream_id: s.id,
    client_running: s.running && st.state !== 'stopped' && st.state !== 'error',
    fps: { ingress_video_fps: st.inputFps, ingress_audio_fps: 0, egress_video_fps: st.outputFps, egress_audio_fps: 0 },
    current_params: {
      subscribe_url: r.subscribeUrl ?? null,
      publish_url: r.publishUrl ?? null,
      control_url: r.controlUrl ?? null,
      events_url: r.eventsUrl ?? null,
      data_url: r.dataUrl ?? null,
      gateway_request_id: r.gatewayRequestId,
      params: s.pipeline.params,
    },
    stats: {
      // The health state (ai-runner's names); `lifecycle` is the pipeline's own running/stopping.
      state: st.health,
      state_since: st.healthSince,
      lifecycle: st.state,
      frames_in: st.framesIn,
      frames_out: st.framesOut,
      frames_processed: st.framesProcessed,
      frames_dropped: st.framesDropped,
      frames_errored: st.framesErrored,
      latency_ms: st.latencyMs,
      stage_latency_ms: st.stages,
      restarts: st.restarts,
      last_error: st.lastError ?? null,
      started_at: s.startedAt,
    },
  };
}

const status: Handler = async (ctx, req, res, url) => {
  const id = headerId(req) ?? url.searchParams.get('stream_id') ?? undefined;
  const base = {
    ...ctx.state.snapshot(),
    capacity: ctx.streams.capacity,
    last_stream_error: ctx.streams.lastError ?? null,
    /** How many running streams are in each health state. */
    stream_states: ctx.state.streamStateCounts(),
  };
  const found = ctx.streams.find(id);
  if ('stream' in found) return sendJson(req, res, 200, { ...base, client_active: true, ...streamStatus(found.stream) });
  if (id) return sendError(req, res, 404, `Stream ${id} not found`);
  if (found.error === 'none') return sendJson(req, res, 200, { ...base, client_active: false });
  sendJson(req, res, 200, { ...base, client_active: true, streams: ctx.streams.list().map(streamStatus) });
};

/** Method + path (after the /stream or /api/stream prefix) → handler. */
export const STREAM_ROUTES: Record<string, { method: 'GET' | 'POST'; handler: Handler }> = {
  start: { method: 'POST', handler: start },
  stop: { method: 'POST', handler: stop },
  params: { method: 'POST', handler: params },
  status: { method: 'GET', handler: status },
};
