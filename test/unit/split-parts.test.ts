import { describe, expect, it } from 'vitest';
import { groupSplitSets, splitPartNames, splitPartOf } from '../../src-main/models';

describe('split GGUF parts', () => {
  it('reads the part number and count from a name, and nothing from other names', () => {
    expect(splitPartOf('Qwen3-235B-Q4_K_M-00002-of-00005.gguf')).toEqual({ part: 2, count: 5, base: 'Qwen3-235B-Q4_K_M' });
    expect(splitPartOf('dir/model-00001-of-00001.gguf')).toEqual({ part: 1, count: 1, base: 'dir/model' });
    for (const name of ['model.gguf', 'model-00000-of-00003.gguf', 'model-00004-of-00003.gguf', 'model-1-of-3.gguf', 'model-00001-of-00003.gguf.part']) {
      expect(splitPartOf(name), name).toBeNull();
    }
  });

  it('names every part of a set from its first part', () => {
    expect(splitPartNames('big-Q4_K_M-00001-of-00003.gguf')).toEqual(['big-Q4_K_M-00001-of-00003.gguf', 'big-Q4_K_M-00002-of-00003.gguf', 'big-Q4_K_M-00003-of-00003.gguf']);
    expect(splitPartNames('single.gguf')).toEqual(['single.gguf']);
  });

  it('groups the files of a folder into models: a set once, under its first part, in part order', () => {
    const groups = groupSplitSets(['/m/b-00002-of-00002.gguf', '/m/a.gguf', '/m/b-00001-of-00002.gguf', '/m/c-00001-of-00003.gguf', '/m/c-00003-of-00003.gguf', '/m/x/b-00001-of-00002.gguf']);
    expect(groups).toEqual([
      { first: '/m/a.gguf', files: ['/m/a.gguf'], declared: 1 },
      { first: '/m/b-00001-of-00002.gguf', files: ['/m/b-00001-of-00002.gguf', '/m/b-00002-of-00002.gguf'], declared: 2 },
      { first: '/m/c-00001-of-00003.gguf', files: ['/m/c-00001-of-00003.gguf', '/m/c-00003-of-00003.gguf'], declared: 3 },
      { first: '/m/x/b-00001-of-00002.gguf', files: ['/m/x/b-00001-of-00002.gguf'], declared: 2 }
    ]);
  });

  it('keeps a set whose first part is missing under the part it has, so the list can say what is missing', () => {
    expect(groupSplitSets(['/m/d-00002-of-00002.gguf'])).toEqual([{ first: '/m/d-00002-of-00002.gguf', files: ['/m/d-00002-of-00002.gguf'], declared: 2 }]);
  });
});
