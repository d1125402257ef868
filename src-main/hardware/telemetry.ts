import { cpus, freemem, totalmem } from 'node:os';
import type { Llama } from 'node-llama-cpp';
import si from 'systeminformation';
import type { GpuTelemetry, TelemetrySample } from '../api';

/** Where the readings come from; tests give fixed ones. */
export interface TelemetrySources {
  /** Summed over all cores, in ms: what `os.cpus()` reports. */
  cpuTimes(): { idle: number; total: number };
  memory(): { totalBytes: number; freeBytes: number };
  appBytes(): number;
  gpus(): Promise<GpuTelemetry[]>;
}

export interface GpuReadings {
  /** llama.cpp's VRAM figures for the device it uses (null on the CPU backend). */
  vram(): Promise<{ name: string; total: number; used: number } | null>;
  /** Utilisation by device name, where the platform exposes it (nvidia-smi through systeminformation). */
  utilization(): Promise<Map<string, number>>;
}

/** VRAM from llama.cpp (what the models use), utilisation from the OS where it reports one. */
export function llamaGpuReadings(llama: () => Promise<Pick<Llama, 'gpu' | 'getVramState' | 'getGpuDeviceNames'>>): GpuReadings {
  return {
    vram: async () => {
      const instance = await llama();
      if (instance.gpu === false) return null;
      const [state, names] = await Promise.all([instance.getVramState(), instance.getGpuDeviceNames()]);
      return { name: names.join(' + ') || String(instance.gpu), total: state.total, used: state.used };
    },
    utilization: async () => {
      const { controllers } = await si.graphics();
      return new Map(controllers.flatMap((controller) => (typeof controller.utilizationGpu === 'number' ? [[controller.model, controller.utilizationGpu] as const] : [])));
    }
  };
}

export function systemTelemetrySources(gpu: GpuReadings): TelemetrySources {
  return {
    cpuTimes: () => {
      let idle = 0;
      let total = 0;
      for (const cpu of cpus()) {
        idle += cpu.times.idle;
        total += cpu.times.idle + cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq;
      }
      return { idle, total };
    },
    memory: () => ({ totalBytes: totalmem(), freeBytes: freemem() }),
    appBytes: () => process.memoryUsage().rss,
    gpus: async () => {
      const vram = await gpu.vram().catch(() => null);
      if (!vram) return [];
      const utilization = await gpu.utilization().catch(() => new Map<string, number>());
      const percent = [...utilization.entries()].find(([name]) => vram.name.includes(name) || name.includes(vram.name))?.[1] ?? null;
      return [{ name: vram.name, vramTotalBytes: vram.total, vramUsedBytes: vram.used, utilizationPercent: percent }];
    }
  };
}

export interface TelemetryOptions {
  intervalMs?: number;
  /** Samples kept: ten minutes at one a second. */
  capacity?: number;
  onSample?: (sample: TelemetrySample) => void;
  now?: () => number;
}

/**
 * Samples the machine once a second, but only while someone looks (a lease the dashboard renews) or a
 * reply is generating; an idle app costs nothing. Samples are kept in a ring buffer.
 */
export class TelemetrySampler {
  private readonly samples: TelemetrySample[] = [];
  private leaseUntil = 0;
  private busy = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private previousCpu: { idle: number; total: number } | null = null;
  private readonly intervalMs: number;
  private readonly capacity: number;
  private readonly now: () => number;

  constructor(
    private readonly sources: TelemetrySources,
    private readonly options: TelemetryOptions = {}
  ) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.capacity = options.capacity ?? 600;
    this.now = options.now ?? Date.now;
  }

  /** Keeps sampling for `ms` more; returns when the lease ends. */
  watch(ms: number): number {
    this.leaseUntil = Math.max(this.leaseUntil, this.now() + ms);
    this.ensureRunning();
    return this.leaseUntil;
  }

  /** While generating, sampling goes on whether or not anyone watches. */
  setBusy(busy: boolean): void {
    this.busy = busy;
    if (busy) this.ensureRunning();
  }

  recent(): TelemetrySample[] {
    return [...this.samples];
  }

  get running(): boolean {
    return this.timer !== null;
  }

  async sample(): Promise<TelemetrySample> {
    const cpu = this.sources.cpuTimes();
    const previous = this.previousCpu;
    this.previousCpu = cpu;
    const elapsed = previous ? cpu.total - previous.total : 0;
    const cpuPercent = previous && elapsed > 0 ? Math.min(100, Math.max(0, 100 * (1 - (cpu.idle - previous.idle) / elapsed))) : null;
    const memory = this.sources.memory();
    const sample: TelemetrySample = {
      at: this.now(),
      cpuPercent,
      memoryTotalBytes: memory.totalBytes,
      memoryFreeBytes: memory.freeBytes,
      appBytes: this.sources.appBytes(),
      gpus: await this.sources.gpus().catch(() => [])
    };
    this.samples.push(sample);
    if (this.samples.length > this.capacity) this.samples.splice(0, this.samples.length - this.capacity);
    this.options.onSample?.(sample);
    return sample;
  }

  /** For good: the app is closing. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private ensureRunning(): void {
    if (this.timer || this.stopped) return;
    const tick = async () => {
      if (this.stopped || (!this.busy && this.now() >= this.leaseUntil)) {
        this.timer = null;
        this.previousCpu = null;
        return;
      }
      try {
        await this.sample();
      } catch (error) {
        // One failed reading (a probe that timed out) is a gap in the chart, not the end of sampling.
        console.error('[hearth] telemetry sample failed:', error);
      }
      if (this.stopped) return;
      this.timer = setTimeout(() => void tick(), this.intervalMs);
      this.timer.unref?.();
    };
    this.timer = setTimeout(() => void tick(), 0);
    this.timer.unref?.();
  }
}
