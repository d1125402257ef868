import { availableParallelism, totalmem } from 'node:os';
import { describe, expect, it } from 'vitest';
import { probeHardware, systemSources, type HardwareSources } from '../../src-main/hardware';
import { InferenceEngine } from '../../src-main/inference';

describe('hardware probe on this machine (real systeminformation + node-llama-cpp)', () => {
  it('reports a CPU-only machine with the right cores and RAM, and what llama.cpp can use', async () => {
    const engine = new InferenceEngine({ gpu: 'auto' });
    try {
      const report = await probeHardware(systemSources(() => engine.llama()), '/tmp');
      expect(report.cpu.logicalCores).toBe(availableParallelism());
      expect(report.cpu.physicalCores).toBeGreaterThanOrEqual(1);
      expect(report.memory.totalBytes).toBe(totalmem());
      expect(report.memory.availableBytes).toBeGreaterThan(0);
      expect(report.llama).toMatchObject({ backend: 'cpu', vramTotalBytes: 0, unifiedBytes: 0 });
      expect(report.gpus).toEqual([]);
      expect(report.disk.freeBytes).toBeGreaterThan(0);
      if (process.arch === 'x64') expect(report.cpu.simd.neon).toBe(false);
    } finally {
      await engine.dispose();
    }
  });
});

describe('hardware probe when sources fail', () => {
  const failing = (what: string) => () => Promise.reject(new Error(`${what} is not available here`));
  const sources: HardwareSources = {
    osInfo: async () => ({ platform: 'linux', distro: 'Test', release: '1', arch: 'x64' }),
    cpu: failing('cpu'),
    cpuFlags: failing('flags'),
    mem: async () => ({ total: 8e9, available: 6e9, swaptotal: 0, swapfree: 0 }),
    graphics: failing('lspci'),
    diskFree: failing('statfs'),
    llama: failing('the llama.cpp binary')
  };

  it('never throws: each missing fact is listed as unknown with its reason', async () => {
    const report = await probeHardware(sources, '/models');
    expect(report.memory.totalBytes).toBe(8e9);
    expect(report.llama).toBeNull();
    expect(report.cpu.simd).toEqual({ avx2: null, avx512: null, neon: null });
    expect(report.disk).toEqual({ path: '/models', freeBytes: null });
    expect(report.unknown.map((fact) => fact.what)).toEqual([
      'CPU',
      'CPU features (AVX2, AVX-512, NEON)',
      'GPUs as the OS reports them',
      'free disk space in the models folder',
      'llama.cpp backend'
    ]);
    expect(report.unknown[4].why).toBe('the llama.cpp binary is not available here');
  });

  it('marks Apple Silicon and dynamic-VRAM GPUs as unified memory', async () => {
    const report = await probeHardware(
      {
        ...sources,
        osInfo: async () => ({ platform: 'darwin', distro: 'macOS', release: '15', arch: 'arm64' }),
        cpuFlags: async () => '',
        graphics: async () => ({ controllers: [{ vendor: 'Apple', model: 'Apple M3', vram: null, vramDynamic: true }] }),
        llama: async () => ({ gpu: 'metal' as const, getVramState: async () => ({ total: 12e9, used: 1e9, free: 11e9, unifiedSize: 12e9 }), getGpuDeviceNames: async () => ['Apple M3'] })
      },
      '/models'
    );
    expect(report.gpus[0]).toMatchObject({ unifiedMemory: true, vramBytes: null });
    expect(report.cpu.simd).toEqual({ avx2: false, avx512: false, neon: true });
    expect(report.llama).toMatchObject({ backend: 'metal', vramFreeBytes: 11e9, unifiedBytes: 12e9, deviceNames: ['Apple M3'] });
  });
});

describe('hardware service', () => {
  it('probes again on refresh only when the last report is a few seconds old', async () => {
    const { HardwareService, freshReportMs } = await import('../../src-main/hardware');
    let probes = 0;
    let now = 0;
    const counting: HardwareSources = {
      osInfo: async () => (probes++, { platform: 'linux', distro: 'Test', release: '1', arch: 'x64' }),
      cpu: async () => ({ manufacturer: 'Test', brand: 'CPU', physicalCores: 4, cores: 8 }),
      cpuFlags: async () => 'avx2',
      mem: async () => ({ total: 8e9, available: 6e9, swaptotal: 0, swapfree: 0 }),
      graphics: async () => ({ controllers: [] }),
      diskFree: async () => 1e12,
      llama: async () => Promise.reject(new Error('none'))
    };
    const service = new HardwareService(counting, '/models', () => now);
    await service.report();
    await service.report(true);
    expect(probes).toBe(1);
    now += freshReportMs + 1;
    await service.report(true);
    expect(probes).toBe(2);
    await service.report();
    expect(probes).toBe(2);
  });
});
