import { availableParallelism } from 'node:os';
import { statfs } from 'node:fs/promises';
import si from 'systeminformation';
import type { Llama } from 'node-llama-cpp';
import type { GpuInfo, HardwareReport, LlamaBackend, UnknownFact } from '../api';

/** Where each fact comes from; tests pass recorded answers, the app the real sources. */
export interface HardwareSources {
  osInfo(): Promise<{ platform: string; distro: string; release: string; arch: string }>;
  cpu(): Promise<{ manufacturer: string; brand: string; physicalCores: number; cores: number }>;
  cpuFlags(): Promise<string>;
  mem(): Promise<{ total: number; available: number; swaptotal: number; swapfree: number }>;
  graphics(): Promise<{ controllers: { vendor: string; model: string; vram: number | null; vramDynamic: boolean; driverVersion?: string; memoryFree?: number | null }[] }>;
  diskFree(path: string): Promise<number>;
  llama(): Promise<Pick<Llama, 'gpu' | 'getVramState' | 'getGpuDeviceNames'>>;
}

/** Bytes free to this user on the disk holding `path`. */
export async function diskFree(path: string): Promise<number> {
  const stats = await statfs(path);
  return stats.bavail * stats.bsize;
}

export const systemSources = (llama: () => Promise<Llama>): HardwareSources => ({
  osInfo: () => si.osInfo(),
  cpu: () => si.cpu(),
  cpuFlags: () => si.cpuFlags(),
  mem: () => si.mem(),
  graphics: () => si.graphics(),
  diskFree,
  llama
});

const mebibyte = 1024 * 1024;

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

/** Runs one source; a failure becomes an "unknown" with its reason, never an exception. */
async function attempt<T>(unknown: UnknownFact[], what: string, read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    unknown.push({ what, why: reasonOf(error) });
    return null;
  }
}

function simdSupport(flags: string | null, arch: string) {
  if (flags === null) return { avx2: null, avx512: null, neon: null };
  const set = new Set(flags.toLowerCase().split(/\s+/));
  const isArm = arch.startsWith('arm') || arch === 'aarch64';
  return {
    avx2: isArm ? false : set.has('avx2'),
    avx512: isArm ? false : [...set].some((flag) => flag.startsWith('avx512')),
    // Every 64-bit Arm CPU has NEON (Advanced SIMD), whether or not the OS lists it.
    neon: isArm ? arch === 'arm64' || arch === 'aarch64' || set.has('neon') || set.has('asimd') : false
  };
}

function toGpu(controller: Awaited<ReturnType<HardwareSources['graphics']>>['controllers'][number], appleSilicon: boolean): GpuInfo {
  const unifiedMemory = appleSilicon || controller.vramDynamic;
  return {
    vendor: controller.vendor || 'unknown',
    model: controller.model || 'unknown',
    vramBytes: controller.vram ? controller.vram * mebibyte : null,
    vramFreeBytes: controller.memoryFree ? controller.memoryFree * mebibyte : null,
    driver: controller.driverVersion || null,
    unifiedMemory
  };
}

/** Every fact about this machine that fitting a model needs. Never throws: what cannot be read is listed as unknown. */
export async function probeHardware(sources: HardwareSources, modelsDir: string): Promise<HardwareReport> {
  const unknown: UnknownFact[] = [];
  const [os, cpu, flags, mem, graphics, diskFree, llama] = await Promise.all([
    attempt(unknown, 'operating system', sources.osInfo),
    attempt(unknown, 'CPU', sources.cpu),
    attempt(unknown, 'CPU features (AVX2, AVX-512, NEON)', sources.cpuFlags),
    attempt(unknown, 'memory', sources.mem),
    attempt(unknown, 'GPUs as the OS reports them', sources.graphics),
    attempt(unknown, 'free disk space in the models folder', () => sources.diskFree(modelsDir)),
    attempt(unknown, 'llama.cpp backend', sources.llama)
  ]);
  const arch = os?.arch ?? process.arch;
  const platform = os?.platform ?? process.platform;
  const appleSilicon = platform === 'darwin' && arch === 'arm64';

  let llamaFacts: HardwareReport['llama'] = null;
  if (llama) {
    const vram = await attempt(unknown, 'VRAM state from llama.cpp', () => llama.getVramState());
    const names = await attempt(unknown, 'GPU names from llama.cpp', () => llama.getGpuDeviceNames());
    const backend: LlamaBackend = llama.gpu === false ? 'cpu' : llama.gpu;
    llamaFacts = {
      backend,
      deviceNames: names ?? [],
      vramTotalBytes: backend === 'cpu' ? 0 : (vram?.total ?? 0),
      vramFreeBytes: backend === 'cpu' ? 0 : (vram?.free ?? 0),
      unifiedBytes: backend === 'cpu' ? 0 : (vram?.unifiedSize ?? 0)
    };
  }
  if (!mem) unknown.push({ what: 'RAM size', why: 'the memory probe failed; fits assume nothing beyond what llama.cpp reports' });

  return {
    os: { platform, distro: os?.distro || null, release: os?.release || null, arch },
    cpu: {
      model: cpu ? `${cpu.manufacturer} ${cpu.brand}`.trim() || null : null,
      physicalCores: cpu?.physicalCores || availableParallelism(),
      logicalCores: cpu?.cores || availableParallelism(),
      simd: simdSupport(flags, arch)
    },
    memory: {
      totalBytes: mem?.total ?? 0,
      availableBytes: mem?.available ?? 0,
      swapTotalBytes: mem ? mem.swaptotal : null,
      swapFreeBytes: mem ? mem.swapfree : null
    },
    gpus: (graphics?.controllers ?? []).map((controller) => toGpu(controller, appleSilicon)),
    llama: llamaFacts,
    disk: { path: modelsDir, freeBytes: diskFree },
    unknown,
    probedAt: Date.now()
  };
}
