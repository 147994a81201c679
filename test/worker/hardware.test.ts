// GPU facts from nvidia-smi output (a tiny executable fixture plays nvidia-smi), and {} without it.
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { gpuInfo, gpuStats } from '../../src/hardware/gpu.js';
import { tempDir } from '../helpers/media-gen.js';

const CSV = '0, GPU-11111111-2222, NVIDIA H100 80GB HBM3, 81559, 80000, 7, 3, 9.0\n1, GPU-33333333-4444, NVIDIA L40S, 46068, 46000, 0, 0, 8.9\n';

async function fakeSmi(dir: string, olderDriver: boolean): Promise<string> {
  const file = `${dir}/nvidia-smi`;
  const body = olderDriver
    ? `case "$*" in *compute_cap*) echo 'Field "compute_cap" is not a valid field to query.' >&2; exit 2;; esac\nprintf '%s' "${CSV.replace(/, [0-9.]+\n/g, '\n')}"\n`
    : `printf '%s' "${CSV}"\n`;
  await writeFile(file, `#!/bin/sh\n${body}`);
  await chmod(file, 0o755);
  return file;
}

test('gpuInfo/gpuStats parse nvidia-smi CSV into PyTrickle shapes (bytes, percent, compute capability)', async () => {
  const tmp = await tempDir('trickle-smi-');
  try {
    const smi = await fakeSmi(tmp.dir, false);
    const info = await gpuInfo({ nvidiaSmi: smi });
    assert.deepEqual(info['0'], { id: 'GPU-11111111-2222', name: 'NVIDIA H100 80GB HBM3', memory_total: 81559 * 1048576, memory_free: 80000 * 1048576, major: 9, minor: 0 });
    assert.equal(info['1']?.name, 'NVIDIA L40S');
    assert.equal(info['1']?.minor, 9);
    const stats = await gpuStats({ nvidiaSmi: smi });
    assert.deepEqual(stats['0'], {
      id: 'GPU-11111111-2222',
      name: 'NVIDIA H100 80GB HBM3',
      memory_total: 81559 * 1048576,
      memory_free: 80000 * 1048576,
      utilization_compute: 7,
      utilization_memory: 3,
    });
    // An older driver without compute_cap: asked again without it.
    const old = await fakeSmi(`${tmp.dir}`, true);
    const info2 = await gpuInfo({ nvidiaSmi: old });
    assert.equal(info2['0']?.memory_total, 81559 * 1048576);
    assert.equal(info2['0']?.major, 0);
  } finally {
    await tmp.cleanup();
  }
});

test('no nvidia-smi → empty maps', async () => {
  assert.deepEqual(await gpuInfo({ nvidiaSmi: '/nonexistent/nvidia-smi' }), {});
  assert.deepEqual(await gpuStats({ nvidiaSmi: '/nonexistent/nvidia-smi' }), {});
});
