import { getLlama, LlamaLogLevel, readGgufFileInfo } from 'node-llama-cpp';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ggmlTypes, tensorBytes } from '../../src-main/catalog';
import { encodeGgufHeader, gguf, readGgufHeader, writeGguf } from '../../src-main/models';
import { temporaryDir } from '../helpers/paths';

describe('GGUF writer', () => {
  const dir = temporaryDir();
  afterAll(() => dir.remove());

  const metadata = {
    'general.architecture': gguf.string('llama'),
    'general.name': gguf.string('Writer Test'),
    'general.file_type': gguf.u32(1),
    'llama.block_count': gguf.u32(2),
    'llama.context_length': gguf.u32(512),
    'llama.embedding_length': gguf.u32(64),
    'llama.rope.freq_base': gguf.f32(10000),
    'tokenizer.ggml.tokens': gguf.array('string', ['<unk>', '<s>', '</s>']),
    'tokenizer.ggml.scores': gguf.array('f32', [0, 0, -1.5]),
    'tokenizer.chat_template': gguf.string('{{ messages }}')
  };
  const tensors = [
    { name: 'token_embd.weight', shape: [64, 3], type: 'F16' as const },
    { name: 'blk.0.attn_q.weight', shape: [256, 64], type: 'Q4_K' as const }
  ];

  it('writes a header that node-llama-cpp reads back field for field', async () => {
    const path = join(dir.path, 'full.gguf');
    writeGguf(path, { metadata, tensors });
    const info = await readGgufFileInfo(path);
    expect(info.version).toBe(3);
    expect(info.metadata.general).toMatchObject({ architecture: 'llama', name: 'Writer Test', file_type: 1 });
    expect(info.metadata.tokenizer.ggml.tokens).toEqual(['<unk>', '<s>', '</s>']);
    expect(info.metadata.tokenizer.chat_template).toBe('{{ messages }}');
    expect((info.metadata as unknown as { llama: { rope: { freq_base: number } } }).llama.rope.freq_base).toBe(10000);
    expect(info.tensorInfo?.map((t) => [t.name, t.dimensions.map(Number), t.ggmlType])).toEqual([
      ['token_embd.weight', [64, 3], 1],
      ['blk.0.attn_q.weight', [256, 64], 12]
    ]);
    const { header } = encodeGgufHeader({ metadata, tensors });
    const dataBytes = Math.ceil(tensorBytes(tensors[0]) / 32) * 32 + tensorBytes(tensors[1]);
    expect(statSync(path).size).toBe(header.length + Math.ceil(dataBytes / 32) * 32);
  });

  it('a header read again is the same object until the file changes, then the new one (a replaced model is never seen stale)', async () => {
    const path = join(dir.path, 'reread.gguf');
    writeGguf(path, { metadata, tensors });
    const first = await readGgufHeader(path);
    expect(await readGgufHeader(path)).toBe(first);
    writeGguf(path, { metadata: { ...metadata, 'general.name': gguf.string('Replaced') }, tensors: [tensors[0]] });
    const replaced = await readGgufHeader(path);
    expect(replaced.metadata.general.name).toBe('Replaced');
    expect(replaced.tensorInfo).toHaveLength(1);
  });

  it('sizes tensors by ggml blocks', () => {
    expect(tensorBytes({ shape: [4096, 4096], type: 'Q4_K' })).toBe((4096 * 4096 * 144) / 256);
    expect(tensorBytes({ shape: [4096, 32000], type: 'Q6_K' })).toBe((4096 * 32000 * 210) / 256);
    expect(tensorBytes({ shape: [10], type: 'F32' })).toBe(40);
    expect(() => tensorBytes({ shape: [10], type: 'Q8_0' })).toThrow(/multiple of 32/);
  });

  it('knows every ggml type by the id, block size and block bytes llama.cpp itself uses', async () => {
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    try {
      // Internal bindings of node-llama-cpp: ggml_blck_size and ggml_type_size of the bundled llama.cpp.
      const bindings = (llama as unknown as { _bindings: { getBlockSizeForGgmlType(id: number): number | undefined; getTypeSizeForGgmlType(id: number): number | undefined } })._bindings;
      for (const [name, spec] of Object.entries(ggmlTypes)) {
        expect([name, bindings.getBlockSizeForGgmlType(spec.id), bindings.getTypeSizeForGgmlType(spec.id)]).toEqual([name, spec.blockSize, spec.blockBytes]);
      }
    } finally {
      await llama.dispose();
    }
    expect(tensorBytes({ shape: [2880, 2880], type: 'MXFP4' })).toBe((2880 * 2880 * 17) / 32);
    expect(tensorBytes({ shape: [5120, 17408], type: 'IQ4_XS' })).toBe((5120 * 17408 * 136) / 256);
  });

  it('writes a header-only file that readers accept without the tensor data', async () => {
    const path = join(dir.path, 'header-only.gguf');
    writeGguf(path, { metadata, tensors: [{ name: 'big', shape: [4096, 32000], type: 'Q4_K' }], headerOnly: true });
    expect(statSync(path).size).toBeLessThan(4096);
    const info = await readGgufFileInfo(path);
    expect(info.tensorInfo?.[0].dimensions.map(Number)).toEqual([4096, 32000]);
  });

  it('writes a sparse file that reads the same as one with its zeros written out, given data included', () => {
    const withData = [...tensors, { name: 'norm', shape: [64], type: 'F32' as const, data: new Uint8Array(256).fill(7) }];
    writeGguf(join(dir.path, 'dense.gguf'), { metadata, tensors: withData });
    writeGguf(join(dir.path, 'sparse.gguf'), { metadata, tensors: withData, sparse: true });
    expect(readFileSync(join(dir.path, 'sparse.gguf')).equals(readFileSync(join(dir.path, 'dense.gguf')))).toBe(true);
  });
});
