import { bitsPerWeight, chatModels, geometryFromCatalog, type Catalog, type CatalogModel } from './catalog';
import type { ModelGeometry } from './geometry';
import { matrixBytesByType } from './quantMix';

const weightBytesOf = (geometry: ModelGeometry) => geometry.layerWeightBytes.reduce((sum, bytes) => sum + bytes, 0) + geometry.inputWeightBytes + geometry.outputWeightBytes;

/**
 * Another file of the model whose header was read (another quantization of the same repository): the
 * header's shape, its weights scaled to the other file's size. What the header file holds beyond its
 * weights (metadata, the vocabulary) is taken to be the same in every file, so it is left out of the
 * scaling; the mix of ggml types is the quantization's usual one (`matrixBytesByType`). Estimated, and
 * marked so (`weightsExact: false`).
 *
 * @param base the geometry read from one file's header (`geometryFromGguf`)
 * @param baseFileBytes that file's size in bytes (a split set's parts added up)
 * @param fileBytes the other file's size in bytes, from the Hub's listing
 * @param quantization the other file's quantization as its name spells it; null when it names none
 */
export function geometryForFileSize(base: ModelGeometry, baseFileBytes: number, fileBytes: number, quantization: string | null): ModelGeometry {
  const baseWeights = weightBytesOf(base);
  const overhead = Math.max(0, baseFileBytes - baseWeights);
  const factor = baseWeights > 0 ? Math.max(0, fileBytes - overhead) / baseWeights : 0;
  const scale = (bytes: number) => bytes * factor;
  const layerWeightBytes = base.layerWeightBytes.map(scale);
  return {
    ...base,
    layerWeightBytes,
    layerExpertBytes: base.layerExpertBytes.map(scale),
    layerMatrixBytesByType: layerWeightBytes.map((bytes) => (quantization ? matrixBytesByType(quantization, bytes) : {})),
    // The head and the embedding usually keep a higher type than the layers; their types are not known here.
    inputType: null,
    outputMatrixBytesByType: {},
    inputWeightBytes: scale(base.inputWeightBytes),
    outputWeightBytes: scale(base.outputWeightBytes),
    weightsExact: false
  };
}

/**
 * The table's name for a variant it does not list: Unsloth's dynamic `UD-Q4_K_XL` and bartowski's `Q4_K_L`
 * keep a few tensors at a higher type than the Q4_K_M they are built like (Q6_K_L like Q6_K, Q8_K_XL like Q8_0).
 */
function tableQuantization(quantization: string): string {
  return quantization
    .toUpperCase()
    .replace(/^UD-/, '')
    .replace(/^(Q[2-5]_K)_X?L$/, '$1_M')
    .replace(/^Q6_K_X?L$/, 'Q6_K')
    .replace(/^Q8_K_XL$/, 'Q8_0');
}

/**
 * A file known only by its size (its header could not be read): its parameter count from the size and
 * the quantization's bits per weight, and the shape of the catalog's dense, full-attention model nearest
 * to that count, with the file's size spread over that shape's layers (`geometryFromCatalog`) and its weights
 * never more than the file. A rough estimate: the context's share is that model's, so the answer names it.
 *
 * @param sizeBytes the file's size in bytes, from the Hub's listing
 * @param quantization as the file's name spells it; null is read as 16 bits per weight
 * @returns the geometry, and the catalog model whose shape it borrows (to say so)
 */
export function geometryFromFileSize(catalog: Catalog, sizeBytes: number, quantization: string | null): { geometry: ModelGeometry; shapedLike: CatalogModel } {
  const bits = quantization ? bitsPerWeight(catalog, tableQuantization(quantization)) : 16;
  const parameters = (sizeBytes * 8) / bits;
  const candidates = chatModels(catalog).filter((model) => model.architecture.experts === null && model.architecture.slidingWindow === null);
  const distance = (model: CatalogModel) => Math.abs(Math.log(model.architecture.parameters / parameters));
  const shapedLike = candidates.reduce((best, model) => (distance(model) < distance(best) ? model : best));
  const borrowed = geometryFromCatalog(catalog, shapedLike, { quantization: quantization ? tableQuantization(quantization) : 'F16', file: '', sizeBytes, sizeExact: true });
  // A file smaller than that model's embedding and head would read larger than it is: its weights are its size.
  const geometry = geometryForFileSize(borrowed, weightBytesOf(borrowed), sizeBytes, quantization);
  return { geometry: { ...geometry, parameters }, shapedLike };
}
