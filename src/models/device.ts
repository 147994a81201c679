// Parses `--device auto|cpu|cuda[:N]` and holds the one hint that tells users how to get the CUDA provider.
import { TrickleError } from '../errors.js';
import type { DeviceSpec } from '../processor/types.js';

export type DeviceKind = 'auto' | 'cpu' | 'cuda';

/** The execution provider a session really runs on. */
export type ProviderName = 'cpu' | 'cuda';

export interface ParsedDevice {
  kind: DeviceKind;
  /** GPU index for cuda (0 unless `cuda:N`). */
  deviceId: number;
}

/** What a GPU host needs for `--device cuda`; shown with every CUDA failure. */
export const CUDA_HINT =
  'the CUDA execution provider is not installed or cannot load: on a GPU host with internet run `npm run setup:gpu` ' +
  '(downloads onnxruntime-node\'s CUDA 12 provider); it needs an NVIDIA driver, CUDA 12 and cuDNN 9 libraries on the ' +
  'library path; or use --device cpu';

/** Turns a device string into its kind and GPU index; a usage error for anything else. */
export function parseDevice(spec: DeviceSpec | string | undefined): ParsedDevice {
  const s = String(spec ?? 'auto').trim().toLowerCase();
  if (s === '' || s === 'auto') return { kind: 'auto', deviceId: 0 };
  if (s === 'cpu') return { kind: 'cpu', deviceId: 0 };
  const m = /^cuda(?::(\d+))?$/.exec(s);
  if (m) return { kind: 'cuda', deviceId: m[1] === undefined ? 0 : Number(m[1]) };
  throw new TrickleError('TRICKLE_USAGE', `--device ${spec}: expected auto, cpu, cuda or cuda:N`);
}

/** The canonical spelling used as a cache key (`cuda` and `cuda:0` are one device). */
export function deviceKey(device: ParsedDevice): string {
  return device.kind === 'cuda' ? `cuda:${device.deviceId}` : device.kind;
}
