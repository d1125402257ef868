import { readGgufFileInfo } from 'node-llama-cpp';
import { closeSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { listModels } from '../../src-main/models';
import { temporaryDir } from '../helpers/paths';
import { builtCli } from '../helpers/server-process';

interface ShapeModelOutput {
  path: string;
  bytes: number;
  written: boolean;
  layers: number;
}

function shapeModel(...args: string[]): ShapeModelOutput {
  const run = spawnSync(process.execPath, [builtCli, 'shape-model', ...args, '--json'], { encoding: 'utf8', timeout: 60_000 });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as ShapeModelOutput;
}

describe('`hearth shape-model`: a real model shape with zero weights, kept as long as it is current', () => {
  const dir = temporaryDir();
  afterAll(() => dir.remove());
  const file = join(dir.path, 'llama32-1b-2-layers.gguf');

  it('writes the shape that node-llama-cpp reads back, whole as the library sees it', async () => {
    const made = shapeModel('--shape', 'llama32_1b', '--layers', '2', '--quant', 'Q4_K_M', '--out', file);
    expect(made).toMatchObject({ path: file, written: true, layers: 2, bytes: statSync(file).size });
    const info = await readGgufFileInfo(file);
    expect(info.metadata.general).toMatchObject({ architecture: 'llama', name: 'Llama 3.2 1B', file_type: 15 });
    expect(info.architectureMetadata).toMatchObject({ block_count: 2, embedding_length: 2048, feed_forward_length: 8192, attention: { head_count: 32, head_count_kv: 8, key_length: 64 } });
    expect(info.metadata.tokenizer.ggml.tokens).toHaveLength(128256);
    // Tied output: the embedding is the head, so there is no output.weight.
    expect(info.tensorInfo?.map((tensor) => tensor.name)).toHaveLength(1 + 2 * 9 + 1);
    expect(info.tensorInfo?.find((tensor) => tensor.name === 'token_embd.weight')?.dimensions.map(Number)).toEqual([2048, 128256]);
    const [listed] = await listModels(dir.path);
    expect(listed).toMatchObject({ name: 'llama32-1b-2-layers.gguf', usable: true, quantization: 'Q4_K_M', sizeBytes: made.bytes });
  });

  it('leaves a current file alone, and rewrites one whose header differs', () => {
    expect(shapeModel('--shape', 'llama32_1b', '--layers', '2', '--out', file).written).toBe(false);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from([0xff]), 0, 1, 100);
    closeSync(fd);
    expect(shapeModel('--shape', 'llama32_1b', '--layers', '2', '--out', file).written).toBe(true);
    expect(shapeModel('--shape', 'llama32_1b', '--layers', '1', '--out', file)).toMatchObject({ written: true, layers: 1 });
  });

  it('never replaces a file it did not write: another file at --out is refused and kept', () => {
    const notes = join(dir.path, 'notes.txt');
    writeFileSync(notes, 'important');
    const run = spawnSync(process.execPath, [builtCli, 'shape-model', '--shape', 'llama32_1b', '--layers', '1', '--out', notes], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/is not a model hearth shape-model wrote: it is left as it is/);
    expect(readFileSync(notes, 'utf8')).toBe('important');
  });

  it('refuses an unknown shape or layer count with the choices', () => {
    const run = spawnSync(process.execPath, [builtCli, 'shape-model', '--shape', 'gpt5', '--out', file], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/--shape must be one of .*llama32_1b/);
    const layers = spawnSync(process.execPath, [builtCli, 'shape-model', '--shape', 'llama32_1b', '--layers', '17', '--out', file], { encoding: 'utf8' });
    expect(layers.stderr).toMatch(/--layers must be a whole number from 1 to 16/);
  });
});
