// Prometheus metrics of a worker and its streams (prom-client): read from stats at scrape time, stage latencies as they happen.
import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import { HEALTH_STATES, type HealthState } from '../pipeline/health.js';
import type { StageName } from '../pipeline/stages.js';
import { STAGES } from '../pipeline/stages.js';
import type { PipelineStats } from '../pipeline/types.js';
import { gpuStats } from '../hardware/gpu.js';
import { GC_KINDS, gcTotals } from './gc-meter.js';
import { StageHistogram } from './stage-histogram.js';

/** What a stream shows at scrape time. Labels carry its id only: never a URL or a secret. */
export interface StreamView {
  id: string;
  state: HealthState;
  framesIn: number;
  framesOut: number;
  framesDropped: number;
  framesErrored: number;
  inputFps: number;
  outputFps: number;
  restarts: number;
  bytesIn: number;
  bytesOut: number;
  segmentsLost: number;
}

/** A stream's view from its stats (the numbers /stream/status shows). */
export function streamView(id: string, s: PipelineStats): StreamView {
  return {
    id,
    state: s.health,
    framesIn: s.framesIn,
    framesOut: s.framesOut,
    framesDropped: s.framesDropped,
    framesErrored: s.framesErrored,
    inputFps: s.inputFps,
    outputFps: s.outputFps,
    restarts: s.restarts,
    bytesIn: s.bytesIn,
    bytesOut: s.bytesOut,
    segmentsLost: s.segmentsLost,
  };
}

/** ms (as the stage clock gives them) to the seconds the histograms take. */
export function stageSeconds(ms: Partial<Record<StageName, number>>): Partial<Record<StageName, number>> {
  const out: Partial<Record<StageName, number>> = {};
  for (const stage of STAGES) if (ms[stage] !== undefined) out[stage] = ms[stage]! / 1000;
  return out;
}

/** GPUs as nvidia-smi reports them ([] where it does not answer). */
export async function nvidiaGpus(nvidiaSmi?: string): Promise<GpuView[]> {
  const stats = await gpuStats({ nvidiaSmi, timeoutMs: 2000 });
  return Object.entries(stats).map(([index, g]) => ({
    id: index,
    name: g.name,
    utilization: g.utilization_compute / 100,
    memoryUsedBytes: g.memory_total - g.memory_free,
    memoryTotalBytes: g.memory_total,
  }));
}

export type WorkerStatus = 'LOADING' | 'IDLE' | 'OK' | 'ERROR';
export type RegistrationState = 'none' | 'registering' | 'registered' | 'failed';

export interface WorkerView {
  status: WorkerStatus;
  capacity: number;
  /** Seconds the processor's load() took (undefined while it runs). */
  loadSeconds?: number;
  registration: RegistrationState;
}

export interface GpuView {
  id: string;
  name: string;
  /** 0..1 */
  utilization: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
}

export interface MetricsSources {
  streams(): StreamView[];
  /** Absent for `trickle process` (one stream, no worker). */
  worker?(): WorkerView;
  /** GPUs as nvidia-smi reports them; [] without one. */
  gpus?(): Promise<GpuView[]>;
}

/** Latency buckets in seconds: from a fraction of a frame to seconds behind. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.033, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];
const WORKER_STATES: readonly WorkerStatus[] = ['LOADING', 'IDLE', 'OK', 'ERROR'];
const REGISTRATION_STATES: readonly RegistrationState[] = ['none', 'registering', 'registered', 'failed'];

export interface Metrics {
  readonly registry: Registry;
  readonly contentType: string;
  /** One frame's stage latencies (seconds), as it reaches the relay. */
  observeStages(streamId: string, seconds: Partial<Record<StageName, number>>): void;
  /** A stream ended: its series go. */
  forget(streamId: string): void;
  /** The text exposition. */
  text(): Promise<string>;
}

/** Builds a registry of its own (several workers in one process do not share series). */
export function createMetrics(src: MetricsSources): Metrics {
  const registry = new Registry();
  // The Node process's own cost (prom-client's default set has names promtool's lint refuses).
  new Counter({
    name: 'trickle_process_cpu_seconds_total',
    help: 'CPU time of this Node process (user and system; ffmpeg children not included)',
    registers: [registry],
    collect() {
      const { user, system } = process.cpuUsage();
      this.reset();
      this.inc((user + system) / 1e6);
    },
  });
  new Gauge({ name: 'trickle_process_resident_memory_bytes', help: 'Resident memory of this Node process', registers: [registry], collect() { this.set(process.memoryUsage.rss()); } });
  const gc = gcTotals();
  new Counter({
    name: 'trickle_process_gc_total',
    help: "Garbage collections of this Node process by kind (major: mark-compact; reducing: mark-compact by V8's memory reducer; minor: scavenge)",
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const k of GC_KINDS) this.inc({ kind: k }, gc.count[k]);
    },
  });
  new Counter({
    name: 'trickle_process_gc_seconds_total',
    help: "Main-thread time of this Node process's garbage collections by kind",
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const k of GC_KINDS) this.inc({ kind: k }, gc.seconds[k]);
    },
  });
  const perStream = (key: keyof StreamView) => (s: StreamView) => s[key] as number;
  const counters: [string, string, (s: StreamView) => number][] = [
    ['trickle_stream_frames_in_total', 'Video frames decoded from the input', perStream('framesIn')],
    ['trickle_stream_frames_out_total', 'Video frames encoded to the output', perStream('framesOut')],
    ['trickle_stream_frames_dropped_total', 'Video frames the leaky queue dropped (processor behind)', perStream('framesDropped')],
    ['trickle_stream_frames_errored_total', 'Video frames passed through because the processor failed or hung', perStream('framesErrored')],
    ['trickle_stream_restarts_total', 'Media children restarted in place', perStream('restarts')],
    ['trickle_stream_input_bytes_total', 'Bytes read from the input channel', perStream('bytesIn')],
    ['trickle_stream_output_bytes_total', 'Bytes published to the output channel', perStream('bytesOut')],
    ['trickle_stream_segments_lost_total', 'Input segments skipped (gone from the relay before they were read)', perStream('segmentsLost')],
  ];
  for (const [name, help, value] of counters) {
    new Counter({
      name,
      help,
      labelNames: ['stream_id'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of src.streams()) this.inc({ stream_id: s.id }, value(s));
      },
    });
  }
  for (const [name, help, key] of [
    ['trickle_stream_input_fps', 'Input video frames per second (last seconds)', 'inputFps'],
    ['trickle_stream_output_fps', 'Output video frames per second (last seconds)', 'outputFps'],
  ] as const) {
    new Gauge({
      name,
      help,
      labelNames: ['stream_id'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of src.streams()) this.set({ stream_id: s.id }, s[key]);
      },
    });
  }
  new Gauge({
    name: 'trickle_stream_state',
    help: 'The stream health state (1 for the current one)',
    labelNames: ['stream_id', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of src.streams()) for (const state of HEALTH_STATES) this.set({ stream_id: s.id, state }, s.state === state ? 1 : 0);
    },
  });
  const latency = new StageHistogram(
    'trickle_stream_stage_latency_seconds',
    'Per-frame latency by stage: decode, queue, processor, encode, publish, and total (input to relay)',
    BUCKETS,
    STAGES,
  );
  registry.registerMetric(latency as unknown as Metric);

  if (src.worker) {
    const worker = src.worker;
    new Gauge({ name: 'trickle_worker_streams', help: 'Streams running', registers: [registry], collect() { this.set(src.streams().length); } });
    new Gauge({ name: 'trickle_worker_capacity', help: 'Streams the worker takes at once', registers: [registry], collect() { this.set(worker().capacity); } });
    new Gauge({
      name: 'trickle_worker_state',
      help: 'The worker state (1 for the current one): LOADING, IDLE, OK, ERROR',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const w = worker();
        for (const state of WORKER_STATES) this.set({ state }, w.status === state ? 1 : 0);
      },
    });
    new Gauge({
      name: 'trickle_worker_load_seconds',
      help: "How long the processor's load() took (absent while it runs)",
      registers: [registry],
      collect() {
        this.reset();
        const s = worker().loadSeconds;
        if (s !== undefined) this.set(s);
      },
    });
    new Gauge({
      name: 'trickle_worker_registration_state',
      help: 'Registration with an orchestrator (1 for the current one)',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const r = worker().registration;
        for (const state of REGISTRATION_STATES) this.set({ state }, r === state ? 1 : 0);
      },
    });
  }
  if (src.gpus) {
    const gpus = src.gpus;
    const gpuGauge = (name: string, help: string, value: (g: GpuView) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['gpu', 'name'],
        registers: [registry],
        async collect() {
          this.reset();
          for (const g of await gpus()) this.set({ gpu: g.id, name: g.name }, value(g));
        },
      });
    gpuGauge('trickle_gpu_utilization_ratio', 'GPU compute utilisation (0..1)', (g) => g.utilization);
    gpuGauge('trickle_gpu_memory_used_bytes', 'GPU memory in use', (g) => g.memoryUsedBytes);
    gpuGauge('trickle_gpu_memory_total_bytes', 'GPU memory in all', (g) => g.memoryTotalBytes);
  }

  return {
    registry,
    contentType: registry.contentType,
    observeStages(streamId, seconds) {
      for (let i = 0; i < STAGES.length; i++) {
        const v = seconds[STAGES[i]!];
        if (v !== undefined) latency.observe(streamId, i, v);
      }
    },
    forget(streamId) {
      latency.remove(streamId);
    },
    text: () => registry.metrics(),
  };
}
