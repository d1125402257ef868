import { basename } from 'node:path';
import { stat } from 'node:fs/promises';
import { TokenBias, type Llama, type LlamaContextSequence, type LlamaModel, type Token } from 'node-llama-cpp';
import type { BenchmarkResult, ParallelDecode } from '../api';
import { bytesPerGeneratedToken, geometryFromGguf, gpuBandwidth, shapeKey } from '../catalog';
import { chooseThreads, endOfGenerationTokens } from '../inference';
import { quantizationOf, readGgufHeader } from '../models';
import { measureMemoryBandwidth } from './bandwidth';
import { decodeLimitTokensPerSecond, statistic } from './stats';

export interface BenchmarkOptions {
  path: string;
  promptTokens?: number;
  genTokens?: number;
  reps?: number;
  batch?: number[];
  threads?: number;
  physicalCores: number;
  gpuLayers?: number;
  /** Where the run happens, for comparing results across machines (see `deviceKey`). */
  hardware: string;
  onProgress?: (step: string, done: number, total: number) => void;
}

export const benchmarkDefaults = { promptTokens: 512, genTokens: 128, reps: 5, batch: [1, 2, 4] };

export type BenchmarkMeasurement = Omit<BenchmarkResult, 'id' | 'createdAt'>;

/** Filler that tokenizes into ordinary words, cut to exactly `count` tokens. */
function promptOf(model: LlamaModel, count: number): Token[] {
  const sentence = 'Once upon a time, a little fox walked through the quiet forest and found a shiny stone. ';
  const perSentence = Math.max(1, model.tokenize(sentence).length);
  return model.tokenize(sentence.repeat(Math.ceil(count / perSentence) + 1)).slice(0, count);
}

/** Generates `count` tokens greedily after `start`, never stopping early; returns the seconds it took. */
async function decode(sequence: LlamaContextSequence, start: Token[], count: number, bias: TokenBias): Promise<number> {
  let generated = 0;
  const startedAt = performance.now();
  for await (const token of sequence.evaluate(start, { temperature: 0, tokenBias: bias })) {
    void token;
    if (++generated >= count) break;
  }
  return (performance.now() - startedAt) / 1000;
}

/**
 * llama-bench's measures on node-llama-cpp: load time, prefill (pp) and decode (tg) tokens per second,
 * and decode with several sequences at once, each repeated; next to them the decode limit that memory
 * bandwidth allows.
 */
export async function runBenchmark(llama: Llama, options: BenchmarkOptions): Promise<BenchmarkMeasurement> {
  const promptTokens = options.promptTokens ?? benchmarkDefaults.promptTokens;
  const genTokens = options.genTokens ?? benchmarkDefaults.genTokens;
  const reps = options.reps ?? benchmarkDefaults.reps;
  const batch = [...new Set(options.batch ?? benchmarkDefaults.batch)].sort((a, b) => a - b);
  const header = await readGgufHeader(options.path);
  const modelBytes = (await stat(options.path)).size;
  const threads = chooseThreads({ override: options.threads, physicalCores: options.physicalCores, modelBytes });
  const total = 1 + reps * (2 + batch.length);
  let done = 0;
  const progress = (step: string) => options.onProgress?.(step, ++done, total);

  const loadStarted = performance.now();
  const model = await llama.loadModel({ modelPath: options.path, ...(options.gpuLayers === undefined ? {} : { gpuLayers: options.gpuLayers }) });
  const loadMs = performance.now() - loadStarted;
  progress('load');
  try {
    const context = await model.createContext({
      contextSize: Math.min(model.trainContextSize, promptTokens + genTokens + 16),
      sequences: Math.max(...batch),
      batchSize: Math.max(promptTokens, genTokens),
      threads
    });
    try {
      const prompt = promptOf(model, promptTokens);
      const start = promptOf(model, 1);
      const bias = new TokenBias(model.tokenizer);
      for (const token of endOfGenerationTokens(model)) bias.set(token, 'never');
      const prefill: number[] = [];
      const decodeRates: number[] = [];
      // The sequences are made once and emptied between tests: node-llama-cpp frees a disposed one's slot only later.
      const sequences = Array.from({ length: Math.max(...batch) }, () => context.getSequence());
      const emptied = async (count: number) => {
        await Promise.all(sequences.slice(0, count).map((sequence) => sequence.clearHistory()));
        return sequences.slice(0, count);
      };
      // One untimed pass first, as llama-bench does: the first evaluation pays for allocating buffers.
      const [warmup] = await emptied(1);
      await decode(warmup, start, Math.min(genTokens, 16), bias);
      const parallelRates = new Map<number, { total: number[]; perToken: number[] }>(batch.map((size) => [size, { total: [], perToken: [] }]));

      for (let rep = 1; rep <= reps; rep++) {
        const [prefillSequence] = await emptied(1);
        const startedAt = performance.now();
        await prefillSequence.evaluateWithoutGeneratingNewTokens(prompt);
        prefill.push(promptTokens / ((performance.now() - startedAt) / 1000));
        progress(`prefill ${promptTokens} tokens, repetition ${rep} of ${reps}`);

        const [single] = await emptied(1);
        decodeRates.push(genTokens / (await decode(single, start, genTokens, bias)));
        progress(`decode ${genTokens} tokens, repetition ${rep} of ${reps}`);

        for (const size of batch) {
          const group = await emptied(size);
          const startedAt = performance.now();
          await Promise.all(group.map((sequence) => decode(sequence, start, genTokens, bias)));
          const seconds = (performance.now() - startedAt) / 1000;
          parallelRates.get(size)!.total.push((size * genTokens) / seconds);
          parallelRates.get(size)!.perToken.push((seconds * 1000) / genTokens / size);
          progress(`decode with ${size} ${size === 1 ? 'sequence' : 'sequences'}, repetition ${rep} of ${reps}`);
        }
      }

      const geometry = geometryFromGguf(header);
      const onGpu = llama.gpu !== false && model.gpuLayers > 0;
      const tableBandwidth = onGpu ? gpuBandwidth(await llama.getGpuDeviceNames()) : null;
      const bandwidthGbPerSecond = tableBandwidth ?? (await measureMemoryBandwidth({ threads }));
      // tg starts from one token: on average half the generated tokens sit in the KV cache.
      const bytesPerToken = bytesPerGeneratedToken(geometry, 1 + genTokens / 2);
      const limitTokensPerSecond = decodeLimitTokensPerSecond(bandwidthGbPerSecond, bytesPerToken);
      const decodeTokensPerSecond = statistic(decodeRates);
      const parallel: ParallelDecode[] = batch.map((size) => ({
        sequences: size,
        totalTokensPerSecond: statistic(parallelRates.get(size)!.total),
        msPerTokenPerSequence: statistic(parallelRates.get(size)!.perToken)
      }));
      return {
        model: basename(options.path),
        quantization: quantizationOf(header),
        shape: shapeKey(geometry),
        threads,
        gpuLayers: model.gpuLayers,
        contextSize: context.contextSize,
        hardware: options.hardware,
        promptTokens,
        genTokens,
        reps,
        loadMs,
        prefillTokensPerSecond: statistic(prefill),
        decodeTokensPerSecond,
        parallel,
        bandwidthGbPerSecond,
        bandwidthSource: tableBandwidth ? 'GPU specification table' : 'measured (CPU memory test)',
        bytesPerToken,
        limitTokensPerSecond,
        percentOfLimit: (decodeTokensPerSecond.mean / limitTokensPerSecond) * 100
      };
    } finally {
      await context.dispose();
    }
  } finally {
    await model.dispose();
  }
}
