// The stream limits as `process` and `serve` offer them: flags, environment variables and config keys (the key is the limits field).
import type { Command } from 'commander';
import type { SettingSpec } from '../config/settings.js';
import { DEFAULT_LIMITS, type StreamLimits, type StreamLimitsInput } from '../stream/limits.js';

interface LimitOption {
  flag: string;
  value: string;
  type: 'number' | 'string';
  env: string;
  help: string;
}

const d = DEFAULT_LIMITS;

export const LIMIT_OPTIONS: Record<keyof StreamLimits, LimitOption> = {
  frameTimeout: {
    flag: '--frame-timeout', value: 'seconds', type: 'number', env: 'TRICKLE_FRAME_TIMEOUT',
    help: `a video()/audio() call not back after this long is gone around: frames pass through unchanged until it returns (default ${d.frameTimeout})`,
  },
  hangLimit: {
    flag: '--hang-limit', value: 'seconds', type: 'number', env: 'TRICKLE_HANG_LIMIT',
    help: `a hook call pending this long fails the stream; a processor with start and stop is restarted once first (default ${d.hangLimit})`,
  },
  inputTimeout: {
    flag: '--input-timeout', value: 'seconds', type: 'number', env: 'TRICKLE_INPUT_TIMEOUT',
    help: `end the stream after this long without input (the last frame is repeated meanwhile); 0 waits for ever (default ${d.inputTimeout})`,
  },
  maxResolution: {
    flag: '--max-resolution', value: 'WxH', type: 'string', env: 'TRICKLE_MAX_RESOLUTION',
    help: `refuse larger frame sizes from flags or params (default ${d.maxResolution.width}x${d.maxResolution.height}; never over 2^25 pixels)`,
  },
};

const rows = () => Object.entries(LIMIT_OPTIONS) as [keyof StreamLimits, LimitOption][];

/** Adds the limit flags to a command. */
export function addLimitOptions(cmd: Command): Command {
  for (const [, o] of rows()) cmd.option(`${o.flag} <${o.value}>`, o.help);
  return cmd;
}

/** How each limit resolves: flag > environment > config key (defaults are applied in core). */
export function limitSettingSpecs(): SettingSpec[] {
  return rows().map(([key, o]) => ({ key, type: o.type, env: [o.env], flag: o.flag }));
}

/** The limits block of a StreamSpec from resolved settings. */
export function limitsFromSettings(settings: object): StreamLimitsInput {
  return Object.fromEntries(rows().map(([key]) => [key, (settings as Record<string, unknown>)[key]]));
}
