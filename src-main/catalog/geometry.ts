import type { GgufFileInfo } from 'node-llama-cpp';
import { ggmlTypeName, tensorBytes } from './ggml';

/** What the fit estimator needs to know about a model, however it was learnt. */
export interface ModelGeometry {
  architecture: string;
  parameters: number | null;
  layers: number;
  embedding: number;
  heads: number;
  kvHeads: number;
  keyLength: number;
  valueLength: number;
  vocab: number;
  contextLength: number;
  /** Tokens a sliding-window layer attends to; null when every layer attends to the whole context. */
  slidingWindow: number | null;
  /** Every Nth layer attends to the whole context, the others to the window (Gemma 3: 6). */
  slidingWindowPattern: number | null;
  experts: number | null;
  expertsUsed: number | null;
  /** The feed-forward width a token goes through (an MoE's used experts together); null when unknown. */
  feedForward: number | null;
  /** Weight bytes of each repeating layer, in order. */
  layerWeightBytes: number[];
  /** Of each layer's weights, the experts' (a token reads only its used experts' share); 0 for a dense model. */
  layerExpertBytes: number[];
  /**
   * Of each layer's weights, the bytes of each ggml type among its matrices (what llama.cpp's CPU backend
   * may repack); estimated from the quantization when there is no tensor table.
   */
  layerMatrixBytesByType: Record<string, number>[];
  /** The token embedding's ggml type (repacked too when it is also the output head); null when unknown. */
  inputType: string | null;
  /** The output head's bytes by ggml type (none when it is tied to the embedding). */
  outputMatrixBytesByType: Record<string, number>;
  /** The token embedding: llama.cpp always keeps it in RAM. */
  inputWeightBytes: number;
  /** Output norm and head: on the GPU only when every layer is. */
  outputWeightBytes: number;
  /** The head reuses the token embedding: llama.cpp then copies the embedding to the GPU that runs the head. */
  tiedOutput: boolean;
  /** Exact when read from a tensor table; estimated from a file size otherwise. */
  weightsExact: boolean;
}

/** Architectures whose sliding-window layers llama.cpp places by a fixed pattern (global every Nth layer). */
// gpt-oss: llama_model_openai_moe::load_arch_hparams sets a period of 2 (even layers windowed) unless the file names another.
const slidingWindowPatterns: Record<string, number> = { gemma2: 2, gemma3: 6, gemma3n: 5, cohere2: 4, 'gpt-oss': 2 };

/** Bytes a tensor occupies; types the writer does not know fall back to the gap between tensor offsets. */
function bytesOf(tensor: { ggmlType: number; dimensions: readonly (number | bigint)[] }): number | null {
  const type = ggmlTypeName(tensor.ggmlType);
  return type ? tensorBytes({ shape: tensor.dimensions.map(Number), type }) : null;
}

function layerOf(name: string): number | null {
  const match = /^blk\.(\d+)\./.exec(name);
  return match ? Number(match[1]) : null;
}

const isInputTensor = (name: string) => name.startsWith('token_embd') || name.startsWith('token_types') || name.startsWith('position_embd');

/** What one token goes through: the dense feed-forward width, or an MoE's used experts' (shared expert included). */
function feedForwardOf(metadata: Record<string, unknown>): number | null {
  const dense = Array.isArray(metadata.feed_forward_length) ? Math.max(...(metadata.feed_forward_length as number[])) : Number(metadata.feed_forward_length ?? 0);
  const expert = Number(metadata.expert_feed_forward_length ?? 0);
  const used = Number(metadata.expert_used_count ?? 0);
  const shared = Number(metadata.expert_shared_feed_forward_length ?? 0);
  if (expert > 0 && used > 0) return expert * used + shared;
  return dense > 0 ? dense : null;
}

/** Reads the geometry from a GGUF header: weights to the byte from its tensor table. */
export function geometryFromGguf(info: GgufFileInfo): ModelGeometry {
  const metadata = info.architectureMetadata as Record<string, unknown> & {
    attention?: { head_count?: number; head_count_kv?: number | number[]; key_length?: number; value_length?: number; sliding_window?: number };
  };
  const architecture = String(info.metadata.general.architecture);
  const tensors = info.fullTensorInfo ?? info.tensorInfo ?? [];
  const layers = Number(metadata.block_count ?? 0);
  const embedding = Number(metadata.embedding_length ?? 0);
  const heads = Number(metadata.attention?.head_count ?? 0);
  const kvHeadsValue = metadata.attention?.head_count_kv;
  const kvHeads = Array.isArray(kvHeadsValue) ? Math.max(...kvHeadsValue) : Number(kvHeadsValue ?? heads);
  const keyLength = Number(metadata.attention?.key_length ?? (heads ? embedding / heads : 0));

  const layerWeightBytes = new Array<number>(layers).fill(0);
  const layerExpertBytes = new Array<number>(layers).fill(0);
  const layerMatrixBytesByType = Array.from({ length: layers }, () => ({}) as Record<string, number>);
  const outputMatrixBytesByType: Record<string, number> = {};
  let inputType: string | null = null;
  let inputWeightBytes = 0;
  let outputWeightBytes = 0;
  let parameters = 0;
  let exact = true;
  tensors.forEach((tensor, index) => {
    const elements = tensor.dimensions.reduce<number>((product, size) => product * Number(size), 1);
    parameters += elements;
    let bytes = bytesOf(tensor);
    if (bytes === null) {
      const next = tensors[index + 1];
      bytes = next ? Number(next.offset) - Number(tensor.offset) : 0;
      exact = false;
    }
    const layer = layerOf(tensor.name);
    const type = ggmlTypeName(tensor.ggmlType) ?? `type ${tensor.ggmlType}`;
    const matrix = tensor.dimensions.length >= 2;
    const addTo = (table: Record<string, number>) => (table[type] = (table[type] ?? 0) + bytes);
    if (layer !== null && layer < layers) {
      layerWeightBytes[layer] += bytes;
      if (tensor.name.includes('_exps')) layerExpertBytes[layer] += bytes;
      if (matrix) addTo(layerMatrixBytesByType[layer]);
    } else if (isInputTensor(tensor.name)) {
      inputWeightBytes += bytes;
      if (tensor.name.startsWith('token_embd')) inputType = type;
    } else {
      outputWeightBytes += bytes;
      if (matrix) addTo(outputMatrixBytesByType);
    }
  });
  const vocab = info.metadata.tokenizer?.ggml?.tokens?.length ?? Number(metadata.vocab_size ?? 0);
  return {
    architecture,
    parameters: parameters || null,
    layers,
    embedding,
    heads,
    kvHeads,
    keyLength,
    valueLength: Number(metadata.attention?.value_length ?? keyLength),
    vocab,
    contextLength: Number(metadata.context_length ?? 0),
    slidingWindow: metadata.attention?.sliding_window ? Number(metadata.attention.sliding_window) : null,
    slidingWindowPattern: metadata.attention?.sliding_window ? (slidingWindowPatterns[architecture] ?? null) : null,
    experts: metadata.expert_count ? Number(metadata.expert_count) : null,
    expertsUsed: metadata.expert_used_count ? Number(metadata.expert_used_count) : null,
    feedForward: feedForwardOf(metadata),
    layerWeightBytes,
    layerExpertBytes,
    layerMatrixBytesByType,
    inputType,
    outputMatrixBytesByType,
    inputWeightBytes,
    outputWeightBytes,
    tiedOutput: !tensors.some((tensor) => tensor.name === 'output.weight'),
    weightsExact: exact
  };
}
