import { describe, expect, it } from 'vitest';
import { builtInCatalog, embeddingModels, geometryFromFileSize, recommend } from '../../src-main/catalog';
import { embeddingOffers, installedOffer } from '../../src-renderer/src/lib/embeddingOffers';
import { hardwareFixtures } from '../fixtures/hardware';

const catalog = builtInCatalog();
const embeddingIds = ['bge-small-en-v1.5', 'nomic-embed-text-v1.5', 'bge-m3'];

describe('embedding models in the catalog', () => {
  it('lists nomic-embed-text v1.5, bge-small-en v1.5 and bge-m3 with their dimensions, licence and sources', () => {
    const models = embeddingModels(catalog);
    expect(models.map((model) => model.id).sort()).toEqual([...embeddingIds].sort());
    expect(Object.fromEntries(models.map((model) => [model.id, model.embeddingDimensions]))).toEqual({ 'bge-small-en-v1.5': 384, 'nomic-embed-text-v1.5': 768, 'bge-m3': 1024 });
    for (const model of models) {
      expect(model.sources.length, model.id).toBeGreaterThan(0);
      expect(model.files.some((file) => file.quantization === 'Q8_0'), model.id).toBe(true);
    }
  });

  it('are never recommended for chat, on any machine, nor lend a Hub file their shape', () => {
    for (const hardware of Object.values(hardwareFixtures)) {
      for (const priority of ['balanced', 'speed', 'quality'] as const) {
        const ids = recommend(catalog, hardware, { contextSize: 8192, kvCacheType: 'f16', priority }).map((pick) => pick.modelId);
        expect(ids.filter((id) => embeddingIds.includes(id))).toEqual([]);
      }
    }
    // A 35 MiB file is nearest bge-small in size: the shape must still come from a chat model.
    expect(embeddingIds).not.toContain(geometryFromFileSize(catalog, 36_800_000, 'Q8_0').shapedLike.id);
  });

  it('are offered for documents: each Q8_0 file with its size and an hf: source, smallest first', () => {
    expect(embeddingOffers.map((offer) => offer.id)).toEqual(['bge-small-en-v1.5', 'nomic-embed-text-v1.5', 'bge-m3']);
    expect(embeddingOffers.map((offer) => offer.source)).toEqual([
      'hf:CompendiumLabs/bge-small-en-v1.5-gguf/bge-small-en-v1.5-q8_0.gguf',
      'hf:nomic-ai/nomic-embed-text-v1.5-GGUF/nomic-embed-text-v1.5.Q8_0.gguf',
      'hf:ggml-org/bge-m3-Q8_0-GGUF/bge-m3-q8_0.gguf'
    ]);
    expect(embeddingOffers.map((offer) => offer.sizeBytes)).toEqual([36_800_000, 146_146_432, 634_553_760]);
    expect(installedOffer(['qwen3-4b.gguf', 'nomic-embed-text-v1.5.Q8_0.gguf'])?.id).toBe('nomic-embed-text-v1.5');
    expect(installedOffer(['qwen3-4b.gguf'])).toBeNull();
  });
});
