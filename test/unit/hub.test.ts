import { describe, expect, it } from 'vitest';
import type { HubRepository } from '../../src-main/api';
import { builtInCatalog, fitReport, geometryForFileSize, geometryFromCatalog, geometryFromFileSize } from '../../src-main/catalog';
import { groupGgufFiles, nextPageOf, quantizationOfName, searchUrl, sortRepositories, splitPartOf, type HubTreeEntry } from '../../src-main/models';
import { fitBadge } from '../../src-main/cli/report';
import { hardwareFixtures } from '../fixtures/hardware';

const GiB = 1024 ** 3;
const file = (path: string, size: number): HubTreeEntry => ({ type: 'file', path, size: 135, lfs: { oid: 'x'.repeat(64), size } });

describe('the quantization a GGUF file name carries', () => {
  it.each([
    ['Qwen3-8B-Q4_K_M.gguf', 'Q4_K_M'],
    ['qwen2.5-7b-instruct-q4_k_m.gguf', 'Q4_K_M'],
    ['llama-2-7b-chat.Q5_K_S.gguf', 'Q5_K_S'],
    ['Meta-Llama-3.1-8B-Instruct-IQ4_XS.gguf', 'IQ4_XS'],
    ['Llama-3.2-1B-Instruct-IQ3_M.gguf', 'IQ3_M'],
    ['gemma-3-1b-it-IQ2_XXS.gguf', 'IQ2_XXS'],
    ['Phi-4-mini-instruct-Q8_0.gguf', 'Q8_0'],
    ['Qwen3-8B-F16.gguf', 'F16'],
    ['Qwen3-8B-BF16.gguf', 'BF16'],
    ['model-fp16.gguf', 'F16'],
    ['Qwen3-30B-A3B-UD-Q4_K_XL.gguf', 'UD-Q4_K_XL'],
    ['DeepSeek-R1-UD-IQ1_S-00001-of-00003.gguf', 'UD-IQ1_S'],
    ['UD-Q2_K_XL/Model-UD-Q2_K_XL-00002-of-00004.gguf', 'UD-Q2_K_XL'],
    ['Mistral-7B-Instruct-v0.3-Q6_K_L.gguf', 'Q6_K_L'],
    ['model-Q4_0_4_4.gguf', 'Q4_0_4_4'],
    ['gpt-oss-20b-MXFP4.gguf', 'MXFP4'],
    ['stories260K.gguf', null],
    ['Qwen3-8B.gguf', null]
  ])('%s → %s', (name, quantization) => {
    expect(quantizationOfName(name)).toBe(quantization);
  });

  it('reads split parts by their llama.cpp gguf-split suffix', () => {
    expect(splitPartOf('Q4_K_M/Model-Q4_K_M-00002-of-00003.gguf')).toEqual({ base: 'Q4_K_M/Model-Q4_K_M', part: 2, count: 3 });
    expect(splitPartOf('Model-Q4_K_M.gguf')).toBeNull();
  });
});

describe("a repository's files grouped by quantization", () => {
  const listing: HubTreeEntry[] = [
    { type: 'directory', path: 'Q8_0', size: 0 },
    file('README.md', 4000),
    file('Model-Q4_K_M.gguf', 4.7 * GiB),
    file('Q8_0/Model-Q8_0-00002-of-00002.gguf', 3 * GiB),
    file('Q8_0/Model-Q8_0-00001-of-00002.gguf', 5 * GiB),
    file('Model-IQ2_M.gguf', 2.9 * GiB),
    file('mmproj-Model-F16.gguf', 0.8 * GiB),
    file('Model-F16.gguf', 16 * GiB),
    file('Model-Q4_K_M-imatrix-variant-Q4_K_M.gguf', 4.6 * GiB),
    file('Model-Q2_K-00001-of-00003.gguf', 1 * GiB),
    file('Model.gguf', 16 * GiB)
  ];
  const groups = groupGgufFiles(listing);

  it('joins a split set into one file of the parts added up, named by its first part however the listing orders them', () => {
    const q8 = groups.find((group) => group.quantization === 'Q8_0')!;
    expect(q8.files).toEqual([{ path: 'Q8_0/Model-Q8_0-00001-of-00002.gguf', quantization: 'Q8_0', sizeBytes: 8 * GiB, parts: 2, partsListed: 2, projector: false }]);
    const q2 = groups.find((group) => group.quantization === 'Q2_K')!;
    expect(q2.files[0]).toMatchObject({ parts: 3, partsListed: 1, sizeBytes: 1 * GiB });
  });

  it('orders groups largest file first with names carrying no quantization last, and files within a group largest first', () => {
    expect(groups.map((group) => group.quantization)).toEqual(['F16', 'Q8_0', 'Q4_K_M', 'IQ2_M', 'Q2_K', null]);
    expect(groups.find((group) => group.quantization === 'Q4_K_M')!.files.map((set) => set.path)).toEqual(['Model-Q4_K_M.gguf', 'Model-Q4_K_M-imatrix-variant-Q4_K_M.gguf']);
    expect(groups.find((group) => group.quantization === 'F16')!.files.map((set) => [set.path, set.projector])).toEqual([
      ['Model-F16.gguf', false],
      ['mmproj-Model-F16.gguf', true]
    ]);
  });

  it('takes the LFS size (the file) over the listed size (its pointer), and leaves out everything that is not a GGUF file', () => {
    expect(groups.flatMap((group) => group.files).some((set) => set.path === 'README.md')).toBe(false);
    expect(groupGgufFiles([{ type: 'file', path: 'a-Q8_0.gguf', size: 12 }])[0].files[0].sizeBytes).toBe(12);
  });
});

describe('the Hub search', () => {
  const repositories: HubRepository[] = [
    { id: 'a/old-popular', downloads: 900, likes: 5, lastModified: '2024-01-01T00:00:00.000Z', gated: null, access: null },
    { id: 'b/new', downloads: 10, likes: 50, lastModified: '2025-06-01T00:00:00.000Z', gated: null, access: null },
    { id: 'c/undated', downloads: 100, likes: 50, lastModified: null, gated: 'manual', access: 'Gated' }
  ];

  it('sorts by downloads, likes or recency, most first, ties in the order the Hub gave', () => {
    expect(sortRepositories(repositories, 'downloads').map((r) => r.id)).toEqual(['a/old-popular', 'c/undated', 'b/new']);
    expect(sortRepositories(repositories, 'likes').map((r) => r.id)).toEqual(['b/new', 'c/undated', 'a/old-popular']);
    expect(sortRepositories(repositories, 'recent').map((r) => r.id)).toEqual(['b/new', 'a/old-popular', 'c/undated']);
  });

  it("asks the Hub's own search for GGUF repositories in the chosen order, with the fields it shows", () => {
    const url = new URL(searchUrl('https://huggingface.co', 'qwen 3', 'recent', 20));
    expect(url.pathname).toBe('/api/models');
    expect(Object.fromEntries([...url.searchParams].filter(([key]) => key !== 'expand'))).toEqual({ search: 'qwen 3', filter: 'gguf', sort: 'lastModified', direction: '-1', limit: '20' });
    expect(url.searchParams.getAll('expand')).toEqual(['downloads', 'likes', 'lastModified', 'gated']);
  });

  it('follows the Link header to the next page of a listing', () => {
    expect(nextPageOf('<https://huggingface.co/api/models/a/b/tree/main?cursor=xyz>; rel="next"')).toBe('https://huggingface.co/api/models/a/b/tree/main?cursor=xyz');
    expect(nextPageOf(null)).toBeNull();
  });
});

describe("a Hub file's fit badge and sentence", () => {
  const catalog = builtInCatalog();
  const qwen = catalog.models.find((model) => model.id === 'qwen3-8b')!;
  const fileOf = (quantization: string) => qwen.files.find((entry) => entry.quantization === quantization)!;
  const options = { contextSize: 8192, kvCacheType: 'f16' as const };

  it("reads, for a file of a repository whose header was read, like the recommendation's for the same file", () => {
    // The header of Q8_0 stands for the one read from the Hub; Q4_K_M is fitted from its size alone.
    const header = geometryFromCatalog(catalog, qwen, fileOf('Q8_0'));
    const scaled = geometryForFileSize(header, fileOf('Q8_0').sizeBytes, fileOf('Q4_K_M').sizeBytes, 'Q4_K_M');
    const hub = fitReport('Qwen3 8B Q4_K_M', scaled, hardwareFixtures.cpu2Core24GB, options).report;
    const recommended = fitReport('Qwen3 8B Q4_K_M', geometryFromCatalog(catalog, qwen, fileOf('Q4_K_M')), hardwareFixtures.cpu2Core24GB, options).report;
    expect(hub.explanation).toBe(recommended.explanation);
    expect(hub.explanation).toMatch(/^Qwen3 8B Q4_K_M: 4\.7 GiB weights \+ 1\.1 GiB context \(8K\) \+ [\d.]+ GiB buffers = [\d.]+ GiB of your 22\.3 GiB free RAM → CPU only/);
    expect(fitBadge(hub)).toBe('CPU');
    expect(hub.weightsExact).toBe(false);
  });

  it("leaves the header's own bytes out of the scaling, so a small model's weights come out right", () => {
    const header = { ...geometryFromCatalog(catalog, qwen, fileOf('Q8_0')) };
    const weights = header.layerWeightBytes.reduce((sum, bytes) => sum + bytes, 0) + header.inputWeightBytes + header.outputWeightBytes;
    const metadata = 50 * 1024 ** 2;
    const scaled = geometryForFileSize(header, weights + metadata, weights / 2 + metadata, 'Q4_0');
    expect(scaled.layerWeightBytes.reduce((sum, bytes) => sum + bytes, 0) + scaled.inputWeightBytes + scaled.outputWeightBytes).toBeCloseTo(weights / 2, 0);
  });

  it('without a header, borrows the shape of the catalog model nearest its size, says which, and still adds up', () => {
    const { geometry, shapedLike } = geometryFromFileSize(catalog, 4.7 * GiB, 'UD-Q4_K_XL');
    expect(shapedLike.architecture.parameters).toBeGreaterThan(7e9);
    expect(shapedLike.architecture.parameters).toBeLessThan(9e9);
    expect(geometry.weightsExact).toBe(false);
    const fit = fitReport(`Model-UD-Q4_K_XL.gguf (shaped like ${shapedLike.name})`, geometry, hardwareFixtures.nvidia8GB, options).report;
    expect(fit.explanation).toMatch(new RegExp(`^Model-UD-Q4_K_XL\\.gguf \\(shaped like ${shapedLike.name}\\): 4\\.7 GiB weights \\+ `));
    expect(fitBadge(fit)).toMatch(/^(Full GPU|Partial \d+\/\d+)$/);
  });

  it("never reads a file as more weights than its size, even one smaller than the borrowed shape's embedding", () => {
    const { geometry } = geometryFromFileSize(catalog, 1024 ** 2, 'Q8_0');
    expect(geometry.layerWeightBytes.reduce((sum, bytes) => sum + bytes, 0) + geometry.inputWeightBytes + geometry.outputWeightBytes).toBeCloseTo(1024 ** 2, 0);
  });
});
