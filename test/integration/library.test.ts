import { mkdirSync, readFileSync, writeFileSync, existsSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteModel, importModel, listModels, writeGguf } from '../../src-main/models';
import { stories260K, temporaryDir } from '../helpers/paths';

describe('model library scan, import and delete', () => {
  const dir = temporaryDir();
  const modelsDir = join(dir.path, 'models');
  mkdirSync(join(modelsDir, 'family'), { recursive: true });
  afterAll(() => dir.remove());

  const part = (index: number) => ({
    metadata: {},
    tensors: [{ name: `t${index}`, shape: [1024], type: 'F32' as const, data: new Uint8Array(4096).fill(index) }]
  });

  it('lists a valid model, a split set as one model, and explains a truncated file and a text file', async () => {
    writeFileSync(join(modelsDir, 'stories260K.gguf'), readFileSync(stories260K));
    for (const index of [1, 2, 3]) writeGguf(join(modelsDir, 'family', `big-Q4_K_M-0000${index}-of-00003.gguf`), part(index));
    for (const index of [1, 2]) writeGguf(join(modelsDir, `broken-set-0000${index}-of-00003.gguf`), part(index));
    writeFileSync(join(modelsDir, 'truncated.gguf'), readFileSync(stories260K).subarray(0, 600_000));
    writeFileSync(join(modelsDir, 'notes.gguf'), 'this is a text file with a .gguf name\n');
    mkdirSync(join(modelsDir, '.quarantine'));
    writeFileSync(join(modelsDir, '.quarantine', 'bad.gguf'), readFileSync(stories260K));

    const models = await listModels(modelsDir);
    const byName = Object.fromEntries(models.map((model) => [model.name, model]));
    expect(Object.keys(byName).sort()).toEqual(['broken-set-00001-of-00003.gguf', 'family/big-Q4_K_M-00001-of-00003.gguf', 'notes.gguf', 'stories260K.gguf', 'truncated.gguf']);
    expect(byName['stories260K.gguf']).toMatchObject({ usable: true, architecture: 'llama', parts: 1, sizeBytes: 1185376 });
    expect(byName['family/big-Q4_K_M-00001-of-00003.gguf']).toMatchObject({ usable: true, parts: 3 });
    expect(byName['broken-set-00001-of-00003.gguf']).toMatchObject({ usable: false, problem: 'Split set incomplete: 2 of 3 parts are here.' });
    expect(byName['truncated.gguf']).toMatchObject({ usable: false, problem: expect.stringMatching(/^Truncated: the header describes 1185376 bytes but the file has 600000/) });
    expect(byName['notes.gguf']).toMatchObject({ usable: false, problem: expect.stringMatching(/Not a usable GGUF model file/) });
  });

  it('imports a checked copy or a link, and refuses what is not a whole GGUF', async () => {
    const outside = join(dir.path, 'elsewhere');
    mkdirSync(outside);
    writeFileSync(join(outside, 'copy-me.gguf'), readFileSync(stories260K));
    writeFileSync(join(outside, 'link-me.gguf'), readFileSync(stories260K));
    writeFileSync(join(outside, 'cut.gguf'), readFileSync(stories260K).subarray(0, 1000));
    expect(await importModel(modelsDir, join(outside, 'copy-me.gguf'))).toMatchObject({ name: 'copy-me.gguf', usable: true });
    expect(lstatSync(join(modelsDir, 'copy-me.gguf')).isSymbolicLink()).toBe(false);
    await importModel(modelsDir, join(outside, 'link-me.gguf'), { link: true });
    expect(lstatSync(join(modelsDir, 'link-me.gguf')).isSymbolicLink()).toBe(true);
    await expect(importModel(modelsDir, join(outside, 'cut.gguf'))).rejects.toMatchObject({ code: 'MODEL_INVALID' });
    await expect(importModel(modelsDir, join(outside, 'copy-me.gguf'))).rejects.toThrow(/already in the models folder/);
    expect(existsSync(join(modelsDir, 'cut.gguf'))).toBe(false);
  });

  it('deletes a model, every part of a split set, and frees the space', async () => {
    expect(await deleteModel(modelsDir, 'copy-me.gguf')).toEqual({ name: 'copy-me.gguf', freedBytes: 1185376 });
    const freed = await deleteModel(modelsDir, 'family/big-Q4_K_M-00001-of-00003.gguf');
    expect(freed.freedBytes).toBeGreaterThan(3 * 4096);
    expect((await listModels(modelsDir)).map((model) => model.name)).not.toContain('family/big-Q4_K_M-00001-of-00003.gguf');
    expect(existsSync(join(modelsDir, 'family', 'big-Q4_K_M-00003-of-00003.gguf'))).toBe(false);
    await expect(deleteModel(modelsDir, '../outside.gguf')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
