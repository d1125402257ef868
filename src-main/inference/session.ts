import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import type { LoadedModel } from '../api';
import { cpuCores } from '../hardware';
import { modelBytes as modelBytesOnDisk, quantizationOf, readGgufHeader } from '../models';
import { resolvePromptFormat, type PromptFormat } from './template';
import { chooseThreads } from './threads';

export const defaultMaxContextSize = 4096;

export interface LoadOptions {
  contextSize?: number;
  /** llama.cpp's count (repeating layers + output head); unset lets node-llama-cpp decide. */
  gpuLayers?: number;
  estimatedBytes?: number | null;
  loadNote?: string | null;
}

/**
 * A loaded model, as runs see it. Never changed once made: a new measurement gives the engine a new
 * record with the same model and context.
 */
export interface LoadedSession {
  readonly info: LoadedModel;
  readonly model: LlamaModel;
  readonly context: LlamaContext;
  /** The model's own prompt format; a conversation may choose another. */
  readonly format: PromptFormat;
  readonly quantization: string | null;
  /** Memory in use before the load began: what the process holds beyond it is the model's. */
  readonly baselineBytes: number;
}

/** What a run gets: the loaded model and the one sequence it holds. */
export interface SequenceRun {
  session: LoadedSession;
  sequence: LlamaContextSequence;
}

/** The context a load gets when none is asked for: the trained size, capped. */
export function defaultContextSize(trainContextSize: number, maxContextSize = defaultMaxContextSize): number {
  return Math.min(trainContextSize, maxContextSize);
}

/** Loads the model at `path` with a context of `sequences` sequences (the chat's and the parallel slots). */
export async function openSession(
  llama: Llama,
  path: string,
  name: string,
  options: LoadOptions & { threads?: number; maxContextSize?: number; sequences: number }
): Promise<LoadedSession> {
  const fileInfo = await readGgufHeader(path);
  // A split model's first part may hold no tensors at all: the thread choice goes by the whole set.
  const modelBytes = await modelBytesOnDisk(path);
  const threads = chooseThreads({ override: options.threads, physicalCores: (await cpuCores()).physical, modelBytes });
  const before = await memoryInUse(llama);
  const startedAt = performance.now();
  const model = await llama.loadModel({ modelPath: path, ...(options.gpuLayers === undefined ? {} : { gpuLayers: options.gpuLayers }) });
  try {
    const contextSize = options.contextSize ?? defaultContextSize(model.trainContextSize, options.maxContextSize);
    const context = await model.createContext({ contextSize, threads, sequences: options.sequences });
    const format = resolvePromptFormat(model);
    const info: LoadedModel = {
      name,
      path,
      chatTemplate: format.name,
      isBaseModel: format.kind === 'base',
      thinking: format.thinking,
      contextSize: context.contextSize,
      threads,
      gpu: llama.gpu,
      gpuLayers: model.gpuLayers,
      loadMs: performance.now() - startedAt,
      estimatedBytes: options.estimatedBytes ?? null,
      // Freed memory the allocator reuses can make a tiny model's growth look negative: it cost nothing measurable.
      measuredBytes: Math.max(0, (await memoryInUse(llama)) - before),
      loadNote: options.loadNote ?? null
    };
    return { info, model, context, format, quantization: quantizationOf(fileInfo), baselineBytes: before };
  } catch (error) {
    await model.dispose();
    throw error;
  }
}

/**
 * Buffers are touched only when used: after a run the process shows what the model really holds.
 * Returns the session with the larger of the two measurements.
 */
export async function remeasured(llama: Llama, session: LoadedSession): Promise<LoadedSession> {
  const measuredBytes = Math.max(session.info.measuredBytes, (await memoryInUse(llama)) - session.baselineBytes);
  return measuredBytes === session.info.measuredBytes ? session : { ...session, info: { ...session.info, measuredBytes } };
}

export async function closeSession(session: LoadedSession): Promise<void> {
  await session.context.dispose();
  await session.model.dispose();
}

/** This process's resident memory plus the VRAM in use: what a load adds to both is what it cost. */
async function memoryInUse(llama: Llama): Promise<number> {
  const vram = llama.gpu === false ? 0 : (await llama.getVramState().catch(() => ({ used: 0 }))).used;
  return process.memoryUsage().rss + vram;
}
