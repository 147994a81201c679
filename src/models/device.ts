// Turns a device (auto, cpu, cuda[:N]) into the provider and GPU index a model session opens on; the CUDA setup hint.
import { FieldError } from '../errors.js';
import { DEVICE_PATTERN } from '../processor/device.js';
import type { DeviceSpec } from '../processor/types.js';

export type DeviceKind = 'auto' | 'cpu' | 'cuda';

/** The execution provider a session really runs on. */
export type ProviderName = 'cpu' | 'cuda';

export interface ParsedDevice {
  kind: DeviceKind;
  /** GPU index for cuda (0 unless `cuda:N`). */
  deviceId: number;
}

/** What a GPU host needs for a cuda device; shown with every CUDA failure (`field` names the device setting). */
export function cudaHint(field: string): string {
  return (
    'the CUDA execution provider is not installed or cannot load: on a GPU host with internet run `npm run setup:gpu` ' +
    "(downloads onnxruntime-node's CUDA 12 provider); it needs an NVIDIA driver, CUDA 12 and cuDNN 9 libraries on the " +
    `library path; or use ${field} cpu`
  );
}

/** Turns a device string into its kind and GPU index (spelling forgiven: case, spaces); a usage error for anything else. */
export function parseDevice(spec: DeviceSpec | string | undefined): ParsedDevice {
  const s = String(spec ?? 'auto').trim().toLowerCase() || 'auto';
  const m = DEVICE_PATTERN.exec(s);
  if (!m) throw new FieldError('TRICKLE_USAGE', ['device'], ([f]) => `${f} ${spec}: expected auto, cpu, cuda or cuda:N`);
  if (s === 'auto' || s === 'cpu') return { kind: s, deviceId: 0 };
  return { kind: 'cuda', deviceId: m[2] === undefined ? 0 : Number(m[2]) };
}

/** The canonical spelling used as a cache key (`cuda` and `cuda:0` are one device). */
export function deviceKey(device: ParsedDevice): string {
  return device.kind === 'cuda' ? `cuda:${device.deviceId}` : device.kind;
}
