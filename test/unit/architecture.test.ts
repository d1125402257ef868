import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkArchitecture, lineBudget, repoPath } from '../helpers/architecture';

const root = resolve(__dirname, '../..');
const aliases = { $api: 'src-main/api' };

/** Files allowed over the line budget, and why: each is one concern that reads best whole. */
const overBudget: Record<string, string> = {};

function sourceFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|svelte)$/.test(entry)) files.set(repoPath(root, path), readFileSync(path, 'utf8'));
    }
  };
  walk(join(root, 'src-main'));
  walk(join(root, 'src-renderer/src'));
  return files;
}

describe('architecture: the layering DESIGN.md describes, read from the imports', () => {
  const files = sourceFiles();

  it('holds for the whole tree: service DAG, index-only imports, electron in its shell, a pure contract for the renderer, no cycles, the line budget', () => {
    expect(checkArchitecture(files, { overBudget }, aliases)).toEqual([]);
  });

  it('names a reason for every file over the budget, and each of them is still over it', () => {
    for (const [file, reason] of Object.entries(overBudget)) {
      expect(reason.length, file).toBeGreaterThan(20);
      expect(files.get(file)?.split('\n').length ?? 0, `${file} is back under budget: take it off the list`).toBeGreaterThan(lineBudget);
    }
  });

  it('reports each kind of violation when one is planted', () => {
    const planted = new Map(files);
    planted.set('src-main/history/planted.ts', "import { InferenceEngine } from '../inference';\n");
    planted.set('src-main/app/planted.ts', "import { openSession } from '../inference/session';\n");
    planted.set('src-main/models/planted.ts', "import { app } from 'electron';\n");
    planted.set('src-renderer/src/lib/planted.ts', "import { createRouter } from '../../../src-main/api/router';\n");
    planted.set('src-main/api/planted.ts', "import { readFileSync } from 'node:fs';\n");
    planted.set('src-main/api/contract.ts', `${files.get('src-main/api/contract.ts')}\nimport './planted';\n`);
    planted.set('src-main/catalog/a.ts', "import { b } from './b';\nexport const a = 1;\n");
    planted.set('src-main/catalog/b.ts', "import { a } from './a';\nexport const b = 1;\n");
    planted.set('src-main/bench/long.ts', 'export const x = 1;\n'.repeat(lineBudget + 1));
    const rules = new Set(checkArchitecture(planted, { overBudget }, aliases).map((violation) => `${violation.rule} ${violation.file}`));
    expect(rules).toEqual(
      new Set([
        'layers src-main/history/planted.ts',
        'index-only src-main/app/planted.ts',
        'electron src-main/models/planted.ts',
        'renderer src-renderer/src/lib/planted.ts',
        'renderer src-main/api/contract.ts',
        'cycle src-main/catalog/a.ts',
        'lines src-main/bench/long.ts'
      ])
    );
  });
});
