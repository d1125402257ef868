import { resolve } from 'node:path';
import type { BenchmarkResult, Statistic } from '../api';
import { benchmarkFile } from '../app';
import { threadsFromEnv } from '../inference';
import type { HearthPaths } from '../paths';

export interface BenchFlags {
  prompt?: string;
  gen?: string;
  reps?: string;
  batch?: string;
  threads?: string;
}

function wholeNumber(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) throw new Error(`${flag} must be a whole number, at least ${min}`);
  return number;
}

export function benchOptionsFromFlags(flags: BenchFlags) {
  const batch = flags.batch?.split(',').map((part) => wholeNumber(part.trim(), '--batch', 1)!);
  return {
    promptTokens: wholeNumber(flags.prompt, '--prompt', 1),
    genTokens: wholeNumber(flags.gen, '--gen', 2),
    reps: wholeNumber(flags.reps, '--reps', 1),
    batch,
    threads: wholeNumber(flags.threads, '--threads', 1)
  };
}

const figure = (statistic: Statistic, digits = 1) => `${statistic.mean.toFixed(digits)} ± ${statistic.std.toFixed(digits)}`;

/** llama-bench's layout: one row per test, the model's facts first. */
export function benchmarkTable(result: BenchmarkResult): string[] {
  const rows = [
    ['test', 'result', 'limit', '% of limit'],
    ['load', `${Math.round(result.loadMs)} ms`, '', ''],
    [`pp${result.promptTokens}`, `${figure(result.prefillTokensPerSecond)} tok/s`, '', ''],
    [`tg${result.genTokens}`, `${figure(result.decodeTokensPerSecond)} tok/s`, `${result.limitTokensPerSecond.toFixed(0)} tok/s`, `${result.percentOfLimit.toFixed(1)}%`],
    ...result.parallel.map((row) => [
      `tg${result.genTokens} × ${row.sequences}`,
      `${figure(row.totalTokensPerSecond)} tok/s total, ${figure(row.msPerTokenPerSequence, 2)} ms/token/sequence`,
      '',
      ''
    ])
  ];
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column].length)));
  return [
    `${result.model} ${result.quantization ?? ''} · ${result.threads} threads · ${result.gpuLayers} GPU layers · ${result.hardware} · ${result.reps} repetitions`,
    ...rows.map((row) => row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]) : cell)).join('  ').trimEnd()),
    `Limit: ${result.bandwidthGbPerSecond.toFixed(1)} GB/s of memory bandwidth, ${result.bandwidthSource}, ÷ ${(result.bytesPerToken / 1e6).toFixed(2)} MB read per token.`
  ];
}

/** `hearth bench --model F`: measures, prints, and stores the result beside the history. */
export async function benchCommand(paths: HearthPaths, modelPath: string | undefined, flags: BenchFlags, json: boolean): Promise<void> {
  if (!modelPath) throw new Error('hearth bench needs --model <file.gguf>');
  const options = benchOptionsFromFlags(flags);
  const result = await benchmarkFile(paths, resolve(modelPath), { ...options, threads: options.threads ?? threadsFromEnv() }, json ? undefined : (step, done, total) => process.stderr.write(`\r[${done}/${total}] ${step}`.padEnd(70)));
  if (!json) process.stderr.write('\n');
  console.log(json ? JSON.stringify(result, null, 2) : benchmarkTable(result).join('\n'));
}
