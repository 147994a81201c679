// The devices a processor may run models on (auto, cpu, cuda, cuda:N): the one pattern every front end checks against.
import { FieldError } from '../errors.js';
import type { DeviceSpec } from './types.js';

/** auto, cpu, cuda or cuda:N (N a GPU index). */
export const DEVICE_PATTERN = /^(auto|cpu|cuda(?::(\d+))?)$/;

/** `value` as a DeviceSpec (default auto); a TRICKLE_USAGE error naming `field` for anything else. */
export function checkDevice(value: string | undefined, field = 'device'): DeviceSpec {
  const device = value ?? 'auto';
  if (!DEVICE_PATTERN.test(device)) throw new FieldError('TRICKLE_USAGE', [field], ([f]) => `${f} must be auto, cpu or cuda[:N], got ${device}`);
  return device as DeviceSpec;
}
