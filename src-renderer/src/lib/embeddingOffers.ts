import catalog from '../../../resources/catalog.json';

/** A catalog embedding model, as Documents offers it for download where none is set. */
export interface EmbeddingOffer {
  id: string;
  name: string;
  dimensions: number;
  license: string;
  /** The file offered: Q8_0, because an embedding model's vectors lose more to 4 bits than its small size saves. */
  file: string;
  sizeBytes: number;
  sizeExact: boolean;
  /** What `downloads.start` takes. */
  source: string;
}

/** The shipped catalog's embedding models, smallest first (the same file the main process validates). */
export const embeddingOffers: readonly EmbeddingOffer[] = catalog.models
  .flatMap((model) => {
    const file = model.files.find((entry) => entry.quantization === 'Q8_0');
    if (model.task !== 'embedding' || !file || !model.embeddingDimensions) return [];
    return [
      {
        id: model.id,
        name: model.name,
        dimensions: model.embeddingDimensions,
        license: model.license,
        file: file.file,
        sizeBytes: file.sizeBytes,
        sizeExact: file.sizeExact,
        source: `hf:${model.ggufRepo}/${file.file}`
      }
    ];
  })
  .sort((a, b) => a.sizeBytes - b.sizeBytes);

/** Whether the models folder holds one of the offered files already (its name there is the file's). */
export function installedOffer(names: readonly string[]): EmbeddingOffer | null {
  return embeddingOffers.find((offer) => names.includes(offer.file)) ?? null;
}
