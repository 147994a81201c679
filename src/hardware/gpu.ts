// GPU facts from nvidia-smi for /hardware/info, /hardware/stats and live-runner registration; {} without it.
import { execFile } from 'node:child_process';

export interface GpuInfo {
  id: string;
  name: string;
  /** Bytes. */
  memory_total: number;
  /** Bytes. */
  memory_free: number;
  major: number;
  minor: number;
}

export interface GpuStats {
  id: string;
  name: string;
  memory_total: number;
  memory_free: number;
  /** Percent. */
  utilization_compute: number;
  /** Percent. */
  utilization_memory: number;
}

const MIB = 1024 * 1024;
const FIELDS = ['index', 'uuid', 'name', 'memory.total', 'memory.free', 'utilization.gpu', 'utilization.memory'];

function run(bin: string, args: string[], timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: timeoutMs, windowsHide: true }, (err, stdout) => resolve(err ? undefined : String(stdout)));
  });
}

const num = (s: string | undefined): number => {
  const n = Number(String(s ?? '').trim());
  return Number.isFinite(n) ? n : 0;
};

interface Row {
  index: string;
  uuid: string;
  name: string;
  total: number;
  free: number;
  utilGpu: number;
  utilMem: number;
  major: number;
  minor: number;
}

/** Parses `nvidia-smi --query-gpu=… --format=csv,noheader,nounits` output (FIELDS order, optional compute_cap last). */
export function parseNvidiaSmi(text: string, withComputeCap: boolean): Row[] {
  const rows: Row[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const c = line.split(',').map((s) => s.trim());
    if (c.length < FIELDS.length) continue;
    const [major, minor] = withComputeCap ? (c[FIELDS.length] ?? '').split('.').map(num) : [0, 0];
    rows.push({
      index: c[0],
      uuid: c[1],
      name: c[2],
      total: num(c[3]) * MIB,
      free: num(c[4]) * MIB,
      utilGpu: num(c[5]),
      utilMem: num(c[6]),
      major: major ?? 0,
      minor: minor ?? 0,
    });
  }
  return rows;
}

async function query(bin: string, timeoutMs: number): Promise<Row[]> {
  const base = ['--format=csv,noheader,nounits'];
  // compute_cap is missing on older drivers; ask without it when the first query is refused.
  const withCap = await run(bin, [`--query-gpu=${[...FIELDS, 'compute_cap'].join(',')}`, ...base], timeoutMs);
  if (withCap !== undefined) return parseNvidiaSmi(withCap, true);
  const without = await run(bin, [`--query-gpu=${FIELDS.join(',')}`, ...base], timeoutMs);
  return without === undefined ? [] : parseNvidiaSmi(without, false);
}

export interface GpuQueryOptions {
  /** nvidia-smi binary (default: from PATH). */
  nvidiaSmi?: string;
  timeoutMs?: number;
}

/** GPU inventory keyed by index, PyTrickle's /hardware/info shape. */
export async function gpuInfo(opts: GpuQueryOptions = {}): Promise<Record<string, GpuInfo>> {
  const rows = await query(opts.nvidiaSmi ?? 'nvidia-smi', opts.timeoutMs ?? 5000);
  return Object.fromEntries(
    rows.map((r) => [r.index, { id: r.uuid, name: r.name, memory_total: r.total, memory_free: r.free, major: r.major, minor: r.minor }]),
  );
}

/** GPU utilisation keyed by index, PyTrickle's /hardware/stats shape. */
export async function gpuStats(opts: GpuQueryOptions = {}): Promise<Record<string, GpuStats>> {
  const rows = await query(opts.nvidiaSmi ?? 'nvidia-smi', opts.timeoutMs ?? 5000);
  return Object.fromEntries(
    rows.map((r) => [
      r.index,
      { id: r.uuid, name: r.name, memory_total: r.total, memory_free: r.free, utilization_compute: r.utilGpu, utilization_memory: r.utilMem },
    ]),
  );
}
