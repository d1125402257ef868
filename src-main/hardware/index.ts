import { availableParallelism } from 'node:os';
import si from 'systeminformation';

export interface CpuCores {
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

/** Probes once and keeps the report; `refresh` probes again (free memory and VRAM change). */
export class HardwareService {
  private cached: Promise<HardwareReport> | null = null;

  constructor(
    private readonly sources: HardwareSources,
    private readonly modelsDir: string
  ) {}

  report(refresh = false): Promise<HardwareReport> {
    if (refresh || !this.cached) this.cached = probeHardware(this.sources, this.modelsDir);
    return this.cached;
  }
}
