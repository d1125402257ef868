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
