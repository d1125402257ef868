import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rendererAlias } from '../../renderer-alias';

const rendererDir = resolve(__dirname, '../../src-renderer');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|svelte)$/.test(entry.name) ? [path] : [];
  });
}

const specifiers = sourceFiles(rendererDir).flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(/\bfrom\s+'([^']+)'|\bimport\s*\(\s*'([^']+)'\s*\)/g)].map((match) => ({
    file: file.slice(rendererDir.length + 1),
    specifier: match[1] ?? match[2]
  }))
);

describe("the renderer's imports of the shared contract", () => {
  it('go through $api, never by a relative path into src-main', () => {
    expect(specifiers.filter(({ specifier }) => specifier.includes('src-main'))).toEqual([]);
    expect(specifiers.some(({ specifier }) => specifier === '$api/contract')).toBe(true);
  });

  it('name only the pure modules the alias maps (the rest of src-main/api runs in the main process)', () => {
    const [{ find }] = rendererAlias;
    expect(specifiers.filter(({ specifier }) => specifier.startsWith('$api/') && !find.test(specifier))).toEqual([]);
    expect(find.test('$api/router')).toBe(false);
  });
});
