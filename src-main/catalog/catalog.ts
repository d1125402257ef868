import { z } from 'zod';
import type { ModelGeometry } from './geometry';
import { ggmlTypes, type GgmlTypeName } from './ggml';
import { matrixBytesByType } from './quantMix';

const count = z.number().int().positive();

export const catalogFileSchema = z.object({
  quantization: z.string(),
  file: z.string(),
  sizeBytes: z.number().int().positive(),
  /** False when the size was read as the Hub shows it (three significant digits), not to the byte. */
  sizeExact: z.boolean()
});

export const catalogModelSchema = z.object({
  id: z.string(),
  name: z.string(),
  family: z.string(),
  /** What it is for: chat models are recommended for chat; embedding models only for Documents' vectors. */
  task: z.enum(['chat', 'embedding']).default('chat'),
  /** The length of an embedding model's vectors; null for a chat model. */
  embeddingDimensions: count.nullable().default(null),
  ggufRepo: z.string(),
  baseRepo: z.string().nullable(),
  license: z.string(),
  tags: z.array(z.string()),
  architecture: z.object({
    type: z.string(),
    parameters: z.number().positive(),
    layers: count,
    attentionHeads: count,
    kvHeads: count,
    headDim: count,
    embeddingLength: count,
    feedForward: count.nullable(),
    contextLength: count,
    slidingWindow: count.nullable(),
    /** Every Nth layer attends to the whole context (Gemma 3: 6). */
    slidingWindowPattern: count.nullable(),
    experts: count.nullable(),
    expertsUsed: count.nullable(),
    expertFeedForward: count.nullable(),
    vocabSize: count,
    tiedEmbeddings: z.boolean()
  }),
  files: z.array(catalogFileSchema).min(1),
  sources: z.array(z.string()).min(1),
  notes: z.string()
}).refine((model) => (model.task === 'embedding') === (model.embeddingDimensions !== null), { message: 'an embedding model, and only one, names its dimensions' });

export const quantizationFactSchema = z.object({
  quantization: z.string(),
  bitsPerWeight: z.number().positive().nullable(),
  /** Perplexity added over F16 in llama.cpp's published measurement (see `baseline`). */
  perplexityIncrease: z.number().nullable(),
  baseline: z.string(),
  source: z.string()
});

export const catalogSchema = z.object({
  version: z.literal(1),
  models: z.array(catalogModelSchema),
  quantizations: z.array(quantizationFactSchema)
});

export type Catalog = z.infer<typeof catalogSchema>;
export type CatalogModel = z.infer<typeof catalogModelSchema>;
export type CatalogFile = z.infer<typeof catalogFileSchema>;
export type QuantizationFact = z.infer<typeof quantizationFactSchema>;

export function parseCatalog(data: unknown): Catalog {
  return catalogSchema.parse(data);
}

/** The models a chat can run: what recommendations rank and what a Hub file's shape is borrowed from. */
export function chatModels(catalog: Catalog): CatalogModel[] {
  return catalog.models.filter((model) => model.task === 'chat');
}

/** The models that compute Documents' vectors, offered where no embedding model is set. */
export function embeddingModels(catalog: Catalog): CatalogModel[] {
  return catalog.models.filter((model) => model.task === 'embedding');
}

/** Bits per weight of one ggml tensor type, from its block (Q8_0: 34 bytes per 32 weights = 8.5). */
const typeBits = (type: GgmlTypeName) => (ggmlTypes[type].blockBytes * 8) / ggmlTypes[type].blockSize;

/**
 * Bits per weight when the table has no figure: the nominal size of the type a quantization stores most
 * weights in (Q4_K_M: Q4_K's 4.5; IQ4_XS: 4.25; MXFP4: 4.25). Mixes such as IQ3_M and IQ2_M are named
 * after their main type (IQ3_S, IQ2_S); the table's measured figures include the mix.
 */
const nominalBits: Record<string, number> = {
  F32: 32,
  F16: 16,
  BF16: 16,
  Q8_0: typeBits('Q8_0'),
  Q6_K: typeBits('Q6_K'),
  Q5_K_M: typeBits('Q5_K'),
  Q5_K_S: typeBits('Q5_K'),
  Q5_0: typeBits('Q5_0'),
  Q5_1: typeBits('Q5_1'),
  Q4_K_M: typeBits('Q4_K'),
  Q4_K_S: typeBits('Q4_K'),
  Q4_0: typeBits('Q4_0'),
  Q4_1: typeBits('Q4_1'),
  Q3_K_M: typeBits('Q3_K'),
  Q3_K_S: typeBits('Q3_K'),
  Q3_K_L: typeBits('Q3_K'),
  Q2_K: typeBits('Q2_K'),
  IQ4_NL: typeBits('IQ4_NL'),
  IQ4_XS: typeBits('IQ4_XS'),
  IQ3_M: typeBits('IQ3_S'),
  IQ3_S: typeBits('IQ3_S'),
  IQ3_XS: typeBits('IQ3_S'),
  IQ3_XXS: typeBits('IQ3_XXS'),
  IQ2_M: typeBits('IQ2_S'),
  IQ2_S: typeBits('IQ2_S'),
  IQ2_XS: typeBits('IQ2_XS'),
  IQ2_XXS: typeBits('IQ2_XXS'),
  IQ1_M: typeBits('IQ1_M'),
  IQ1_S: typeBits('IQ1_S'),
  TQ2_0: typeBits('TQ2_0'),
  TQ1_0: typeBits('TQ1_0'),
  MXFP4: typeBits('MXFP4')
};

export function bitsPerWeight(catalog: Catalog, quantization: string): number {
  return catalog.quantizations.find((fact) => fact.quantization === quantization)?.bitsPerWeight ?? nominalBits[quantization] ?? 16;
}

/** The experts' share of an MoE layer's parameters (attention and the routed experts' three matrices); 0 for a dense model. */
function expertShare(a: CatalogModel['architecture']): number {
  if (!a.experts || !a.expertFeedForward) return 0;
  const attention = a.embeddingLength * a.attentionHeads * a.headDim * 2 + a.embeddingLength * a.kvHeads * a.headDim * 2;
  const experts = 3 * a.embeddingLength * a.expertFeedForward * a.experts;
  return experts / (attention + experts);
}

/**
 * The geometry of a catalog file that is not on disk: the file size spread over the layers after the
 * embedding and output head (sized from the vocabulary at the file's bits per weight). Estimated,
 * and marked so; a downloaded header replaces it with exact figures.
 */
export function geometryFromCatalog(catalog: Catalog, model: CatalogModel, file: CatalogFile): ModelGeometry {
  const a = model.architecture;
  const embeddingBytes = (a.vocabSize * a.embeddingLength * bitsPerWeight(catalog, file.quantization)) / 8;
  const outputBytes = a.tiedEmbeddings ? a.embeddingLength * 4 : embeddingBytes;
  // The file holds a tied embedding once; its GPU copy for the head is added where the split happens.
  const layerBytes = Math.max(0, (file.sizeBytes - embeddingBytes - outputBytes) / a.layers);
  return {
    architecture: a.type,
    parameters: a.parameters,
    layers: a.layers,
    embedding: a.embeddingLength,
    heads: a.attentionHeads,
    kvHeads: a.kvHeads,
    keyLength: a.headDim,
    valueLength: a.headDim,
    vocab: a.vocabSize,
    contextLength: a.contextLength,
    slidingWindow: a.slidingWindow,
    slidingWindowPattern: a.slidingWindowPattern,
    experts: a.experts,
    expertsUsed: a.expertsUsed,
    feedForward: a.experts && a.expertsUsed && a.expertFeedForward ? a.expertsUsed * a.expertFeedForward : a.feedForward,
    layerWeightBytes: new Array<number>(a.layers).fill(layerBytes),
    layerExpertBytes: new Array<number>(a.layers).fill(layerBytes * expertShare(a)),
    layerMatrixBytesByType: Array.from({ length: a.layers }, () => matrixBytesByType(file.quantization, layerBytes)),
    // Tied or not, the embedding and head of a quantized file usually stay at a higher type (Q6_K, Q8_0): not repacked.
    inputType: null,
    outputMatrixBytesByType: {},
    inputWeightBytes: embeddingBytes,
    outputWeightBytes: outputBytes,
    tiedOutput: a.tiedEmbeddings,
    weightsExact: false
  };
}
