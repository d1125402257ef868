import catalog from '../../../resources/catalog.json';

export interface CatalogFileChoice {
  quantization: string;
  sizeBytes: number;
}

/**
 * The files of each catalog model, for the per-model what-if's quantization list. The recommender
 * answers with one pick per model; the shipped catalog (the same file the main process bundles)
 * lists them all.
 */
const filesById = new Map<string, CatalogFileChoice[]>(
  catalog.models.map((model) => [model.id, model.files.map((file) => ({ quantization: file.quantization, sizeBytes: file.sizeBytes }))])
);

export function catalogFiles(modelId: string): CatalogFileChoice[] {
  return filesById.get(modelId) ?? [];
}
