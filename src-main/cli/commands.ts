import type { Token } from 'node-llama-cpp';
import { basename, dirname, resolve } from 'node:path';
import { expectedResidentBytes, type RecommendResult } from '../api';
import { createHearth } from '../app';
import { formatBytes, geometryFromGguf, fitReport, nodeLlamaCppEstimate } from '../catalog';
import { probeHardware, systemSources } from '../hardware';
import { defaultContextSize, gpuFromEnv, InferenceEngine, threadsFromEnv } from '../inference';
import { readGgufHeader } from '../models';
import type { HearthPaths } from '../paths';
import { describeMachine, fitBadge, recommendationTable } from './report';

/** `hearth recommend`: this machine, then the catalog ranked for it. A bad --priority comes back as the API's validation error. */
export async function recommendCommand(paths: HearthPaths, options: { contextSize: number; json: boolean; minSpeed?: string; priority?: string }): Promise<void> {
  const minSpeed = options.minSpeed === undefined ? undefined : Number(options.minSpeed);
  if (minSpeed !== undefined && !(Number.isFinite(minSpeed) && minSpeed >= 0)) throw new Error('--min-speed must be a number of tokens per second, 0 or more (0 flags nothing)');
  const hearth = await createHearth(paths);
  try {
    const result = await hearth.router.call('catalog.recommend', {
      contextSize: options.contextSize,
      ...(minSpeed === undefined ? {} : { minTokensPerSecond: minSpeed }),
      ...(options.priority === undefined ? {} : { priority: options.priority })
    });
    if (!result.ok) throw new Error(result.error.message);
    const recommended = result.result as RecommendResult;
    if (options.json) {
      console.log(JSON.stringify(recommended, null, 2));
      return;
    }
    const floor = recommended.minTokensPerSecond > 0 ? `Picks under ${recommended.minTokensPerSecond} tok/s are flagged slow and ranked after the others (--min-speed).` : 'No speed floor (--min-speed 0).';
    const estimated = recommended.recommendations.find((r) => !r.speed.measured && r.speed.tokensPerSecond !== null);
    console.log(
      [
        'Your machine',
        ...describeMachine(recommended.hardware).map((line) => `  ${line}`),
        '',
        `Recommended for a context of ${options.contextSize} tokens, priority ${recommended.priority}. ${floor}`,
        ...(estimated ? [`Speeds marked ≈ are an ${estimated.speed.basis}.`] : []),
        ...recommendationTable(recommended.recommendations)
      ].join('\n')
    );
  } finally {
    await hearth.close();
  }
}

/**
 * `hearth fit --model F`: our estimate and node-llama-cpp's for a local file; with --measure, a real
 * load in this fresh process and what it really took.
 */
export async function fitCommand(file: string, options: { contextSize?: number; measure: boolean; json: boolean }): Promise<void> {
  const path = resolve(file);
  const engine = new InferenceEngine({ threads: threadsFromEnv(), gpu: gpuFromEnv() });
  try {
    const info = await readGgufHeader(path);
    const geometry = geometryFromGguf(info);
    const hardware = await probeHardware(systemSources(() => engine.llama()), dirname(path));
    const contextSize = options.contextSize ?? defaultContextSize(geometry.contextLength || 2048);
    const { report } = fitReport(basename(path), geometry, hardware, { contextSize, kvCacheType: 'f16' });
    const nodeLlamaCpp = await nodeLlamaCppEstimate(await engine.llama(), info, report.gpuLayers, contextSize);
    const estimatedBytes = expectedResidentBytes(report);
    let measuredBytes: number | null = null;
    if (options.measure) {
      await engine.load(path, basename(path), { contextSize, gpuLayers: hardware.llama?.backend === 'cpu' ? undefined : report.gpuLayers, estimatedBytes });
      // One full batch: the compute buffers are only touched when used.
      const batch = Array.from({ length: Math.min(512, contextSize - 1) }, (_, index) => (index % 256) + 3) as Token[];
      await engine.run(({ sequence }) => sequence.evaluateWithoutGeneratingNewTokens(batch), { kind: 'chat' });
      measuredBytes = engine.status().model?.measuredBytes ?? null;
    }
    if (options.json) {
      console.log(JSON.stringify({ fit: { ...report, nodeLlamaCpp }, estimatedBytes, measuredBytes }, null, 2));
      return;
    }
    console.log(`${fitBadge(report)}: ${report.explanation}`);
    console.log(`Hearth's estimate: ${formatBytes(report.cpu.totalBytes)} RAM + ${formatBytes(report.gpu.totalBytes)} VRAM needed; RSS may show ${formatBytes(report.cpu.repackBytes)} more (repacked copies)`);
    console.log(`node-llama-cpp's own estimate: ${formatBytes(nodeLlamaCpp.cpuBytes)} RAM + ${formatBytes(nodeLlamaCpp.gpuBytes)} VRAM`);
    if (measuredBytes !== null) console.log(`estimated ${formatBytes(estimatedBytes)}, measured ${formatBytes(measuredBytes)} (this process's RAM and VRAM growth after loading and one full batch)`);
  } finally {
    await engine.dispose();
  }
}
