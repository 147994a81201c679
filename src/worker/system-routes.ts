// The non-stream routes: /health, /version, /app-version, /hardware/info, /hardware/stats.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gpuInfo, gpuStats } from '../hardware/gpu.js';
import { sendJson } from './replies.js';
import type { WorkerState } from './state.js';

export interface SystemInfo {
  /** /version "pipeline" (PyTrickle: PIPELINE env or "byoc"). */
  pipeline: string;
  /** /version "model_id" (the capability name). */
  modelId: string;
  /** /app-version. */
  appVersion: string;
  nvidiaSmi?: string;
}

let cachedVersion: string | undefined;
/** This package's version, read from package.json beside dist/. */
export function packageVersion(): string {
  if (cachedVersion) return cachedVersion;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    cachedVersion = pkg.version ?? '0.0.0';
  } catch {
    cachedVersion = '0.0.0';
  }
  return cachedVersion;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** Path → GET handler (HEAD answers too). */
export function systemRoutes(state: WorkerState, info: SystemInfo): Record<string, Handler> {
  return {
    // 200 only while streams can start (IDLE, OK): load balancers and go-livepeer's static-runner
    // poller route to this worker only then; the body says which state it is in either way.
    // The streams' health states roll up: every stream in ERROR makes the worker ERROR (503) too.
    '/health': (req, res) => {
      const status = state.status;
      sendJson(req, res, status === 'IDLE' || status === 'OK' ? 200 : 503, { status });
    },
    '/version': (req, res) => sendJson(req, res, 200, { pipeline: info.pipeline, model_id: info.modelId, version: packageVersion() }),
    '/app-version': (req, res) => sendJson(req, res, 200, { version: info.appVersion }),
    '/hardware/info': async (req, res) =>
      sendJson(req, res, 200, { pipeline: info.pipeline, model_id: info.modelId, gpu_info: await gpuInfo({ nvidiaSmi: info.nvidiaSmi }) }),
    '/hardware/stats': async (req, res) =>
      sendJson(req, res, 200, { pipeline: info.pipeline, model_id: info.modelId, gpu_stats: await gpuStats({ nvidiaSmi: info.nvidiaSmi }) }),
  };
}
