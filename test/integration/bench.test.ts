import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchmarkResult, RecommendResult } from '../../src-main/api';
import { History } from '../../src-main/history';
import { builtCli } from '../helpers/server-process';
import { stories260K, temporaryDir } from '../helpers/paths';

const run = promisify(execFile);

describe('hearth bench on stories260K (the built CLI)', () => {
  const dir = temporaryDir();
  afterAll(() => dir.remove());

  it('prints and stores a result with prefill, decode, parallel decode and the share of the bandwidth limit', async () => {
    const dataDir = join(dir.path, 'data');
    const { stdout } = await run(
      process.execPath,
      [builtCli, 'bench', '--model', stories260K, '--reps', '2', '--prompt', '64', '--gen', '32', '--batch', '1,2', '--json', '--data-dir', dataDir, '--models-dir', join(dir.path, 'models')],
      { env: { ...process.env, HEARTH_GPU: 'cpu' } }
    );
    const result = JSON.parse(stdout) as BenchmarkResult;
    expect(result).toMatchObject({ model: 'stories260K.gguf', quantization: 'F32', promptTokens: 64, genTokens: 32, reps: 2, gpuLayers: 0 });
    expect(result.prefillTokensPerSecond).toMatchObject({ n: 2 });
    expect(result.prefillTokensPerSecond.mean).toBeGreaterThan(0);
    expect(result.decodeTokensPerSecond.mean).toBeGreaterThan(0);
    expect(result.parallel.map((row) => row.sequences)).toEqual([1, 2]);
    expect(result.parallel.every((row) => row.totalTokensPerSecond.mean > 0 && row.msPerTokenPerSequence.mean > 0)).toBe(true);
    expect(result.bandwidthSource).toBe('measured (CPU memory test)');
    expect(result.percentOfLimit).toBeGreaterThan(0);
    expect(result.percentOfLimit).toBeLessThan(100);

    expect(result.shape).toBe('llama:5:64:8:4:512:0');
    const history = History.open(join(dataDir, 'history.sqlite'));
    try {
      expect(history.benchmarks.list()).toEqual([result]);
    } finally {
      history.close();
    }

    // `hearth recommend` learns the CPU bandwidth its memory test measured; not the bandwidth its decode seemed to reach,
    // which a 1 MB model (bound by per-token overhead, not bandwidth) cannot tell for real ones.
    const recommended = JSON.parse(
      (await run(process.execPath, [builtCli, 'recommend', '--json', '--min-speed', '0', '--data-dir', dataDir, '--models-dir', join(dir.path, 'models')], { env: { ...process.env, HEARTH_GPU: 'cpu' } })).stdout
    ) as RecommendResult;
    expect(recommended.minTokensPerSecond).toBe(0);
    const estimated = recommended.recommendations.find((r) => r.fit.fitClass === 'cpu')!;
    expect(estimated.speed.basis).toContain(`${result.bandwidthGbPerSecond.toFixed(0)} GB/s measured on this CPU by hearth bench's memory test`);
    expect(recommended.recommendations.some((r) => r.slow)).toBe(false);
  });

  it('refuses a bad --min-speed with what it must be', async () => {
    const failure = await run(process.execPath, [builtCli, 'recommend', '--min-speed', 'fast', '--data-dir', join(dir.path, 'data3')]).catch((error: { stderr: string }) => error);
    expect((failure as { stderr: string }).stderr).toMatch(/--min-speed must be a number of tokens per second, 0 or more/);
  });

  it('prints a table like llama-bench without --json', async () => {
    // No --batch: the default 1, 2 and 4 sequences, one after another on the same context.
    const { stdout } = await run(process.execPath, [builtCli, 'bench', '--model', stories260K, '--reps', '1', '--prompt', '32', '--gen', '16', '--data-dir', join(dir.path, 'data2'), '--models-dir', join(dir.path, 'models')], {
      env: { ...process.env, HEARTH_GPU: 'cpu' }
    });
    expect(stdout).toMatch(/^pp32 +[\d.]+ ± [\d.]+ tok\/s/m);
    expect(stdout).toMatch(/^tg16 +[\d.]+ ± [\d.]+ tok\/s +\d+ tok\/s +[\d.]+%/m);
    for (const sequences of [1, 2, 4]) expect(stdout).toMatch(new RegExp(`^tg16 × ${sequences} `, 'm'));
  });

  it('refuses a bad --batch with the reason', async () => {
    const failure = await run(process.execPath, [builtCli, 'bench', '--model', stories260K, '--batch', '1,x']).catch((error: { stderr: string }) => error);
    expect((failure as { stderr: string }).stderr).toMatch(/--batch must be a whole number/);
  });
});
