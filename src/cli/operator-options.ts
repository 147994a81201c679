// What operators set on `process` and `serve`: the loading overlay, and the metrics port of `process`.
import type { Command } from 'commander';
import type { SettingSpec } from '../config/settings.js';
import { TrickleError } from '../errors.js';
import { LOADING_MODES, type LoadingMode } from '../image/loading-overlay.js';

export interface OperatorSettings {
  loading: string;
  metricsPort?: number;
}

/** Adds --loading (both commands) and --metrics-port (`process`: `serve` answers /metrics on its own port). */
export function addOperatorOptions(cmd: Command, command: 'process' | 'serve'): Command {
  cmd.option('--loading <mode>', `what the output shows while the processor loads or restarts: ${LOADING_MODES.join(', ')} (default overlay: the input dimmed, a bar moving)`);
  if (command === 'process') cmd.option('--metrics-port <port>', 'serve Prometheus /metrics on 127.0.0.1:PORT while the stream runs (0 picks a free port)');
  return cmd;
}

/** Flag > environment (TRICKLE_LOADING, TRICKLE_METRICS_PORT) > config key (loading, metricsPort). */
export function operatorSettingSpecs(command: 'process' | 'serve'): SettingSpec[] {
  const specs: SettingSpec[] = [{ key: 'loading', type: 'string', env: ['TRICKLE_LOADING'], flag: '--loading', default: 'overlay' }];
  if (command === 'process') specs.push({ key: 'metricsPort', type: 'int', env: ['TRICKLE_METRICS_PORT'], flag: '--metrics-port' });
  return specs;
}

/** The loading mode, refused when it is none of the modes. */
export function loadingMode(s: OperatorSettings): LoadingMode {
  if (!(LOADING_MODES as readonly string[]).includes(s.loading)) {
    throw new TrickleError('TRICKLE_USAGE', `invalid value for --loading: ${JSON.stringify(s.loading)}`, { hint: `expected one of ${LOADING_MODES.join(', ')}` });
  }
  return s.loading as LoadingMode;
}

/** The metrics port, refused outside 0..65535. */
export function metricsPort(s: OperatorSettings): number | undefined {
  if (s.metricsPort !== undefined && (s.metricsPort < 0 || s.metricsPort > 65535)) {
    throw new TrickleError('TRICKLE_USAGE', `--metrics-port must be between 0 and 65535, got ${s.metricsPort}`);
  }
  return s.metricsPort;
}
