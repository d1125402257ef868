import { availableParallelism } from 'node:os';
import si from 'systeminformation';

interface CpuCores {
  physical: number;
  logical: number;
}

let cpuCoresPromise: Promise<CpuCores> | null = null;

/** Physical and logical cores; falls back to the OS's logical count when systeminformation cannot tell. */
export function cpuCores(): Promise<CpuCores> {
  cpuCoresPromise ??= si
    .cpu()
    .then((cpu) => ({
      physical: cpu.physicalCores > 0 ? cpu.physicalCores : availableParallelism(),
      logical: cpu.cores > 0 ? cpu.cores : availableParallelism()
    }))
    .catch(() => ({ physical: availableParallelism(), logical: availableParallelism() }));
  return cpuCoresPromise;
}

export { diskFree, probeHardware, systemSources, type HardwareSources } from './probe';
import { probeHardware, type HardwareSources } from './probe';
import type { HardwareReport } from '../api';

/** Free memory a few seconds old is still good for ranking; a what-if slider should not re-probe on every step. */
export const freshReportMs = 5_000;

/** Probes and keeps the report; `refresh` asks for one no older than `freshReportMs` (free memory and VRAM change). */
export class HardwareService {
  private cached: { at: number; report: Promise<HardwareReport> } | null = null;

  constructor(
    private readonly sources: HardwareSources,
    private readonly modelsDir: string,
    private readonly now: () => number = Date.now
  ) {}

  report(refresh = false): Promise<HardwareReport> {
    const stale = !this.cached || (refresh && this.now() - this.cached.at > freshReportMs);
    if (stale) this.cached = { at: this.now(), report: probeHardware(this.sources, this.modelsDir) };
    return this.cached!.report;
  }
}
export { TelemetrySampler, systemTelemetrySources, llamaGpuReadings, type TelemetrySources } from './telemetry';
