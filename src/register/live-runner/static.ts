// Static registration: the runners.json entry an operator gives go-livepeer's -liveRunnerConfig.
import type { RegistrationOptions } from '../types.js';
import { checkPrice, type LiveRunnerFields } from './wire.js';

/**
 * The orchestrator polls `health_url` (a path is resolved against `runner_url`) about every 5 s
 * with a 3 s timeout and routes here only while it answers `healthy_status_code`.
 */
export function staticRunnersJson(opts: Pick<RegistrationOptions, 'name' | 'url' | 'capacity'> & LiveRunnerFields): string {
  const entry = {
    label: opts.label ?? opts.name,
    runner_url: opts.url,
    health_url: '/health',
    healthy_status_code: 200,
    app: opts.app,
    version: opts.version ?? '',
    metadata: opts.metadata,
    mode: 'persistent',
    capacity: opts.capacity,
    ...(opts.gpu ? { gpu: opts.gpu } : {}),
    price_info: { price: '__price__', currency: opts.currency ?? 'usd', unit: opts.priceUnit ?? 'hour' },
    ...(opts.proxy ? { proxy: true } : {}),
  };
  return JSON.stringify({ runners: [entry] }, null, 2).replace('"__price__"', checkPrice(opts.price));
}
