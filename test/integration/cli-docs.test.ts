import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { DocumentHit } from '../../src-main/api';
import { textPdf } from '../fixtures/documents';
import { builtCli } from '../helpers/server-process';
import { stories260K, temporaryDir } from '../helpers/paths';

const run = promisify(execFile);
const dir = temporaryDir('hearth-cli-docs-');
const dataDir = join(dir.path, 'data');
const modelsDir = join(dir.path, 'models');
const hearth = (...args: string[]) => run(process.execPath, [builtCli, ...args, '--data-dir', dataDir, '--models-dir', modelsDir], { env: { ...process.env, HEARTH_GPU: 'cpu' } });
const filler = (seed: number) => `Tom and Lily went to the park on day ${seed}. They played with a red ball and a big dog.`;

describe('hearth docs and hearth chat --docs (the built CLI, stories260K computing the embeddings)', () => {
  afterAll(() => dir.remove());

  it('adds files to a collection, lists them, finds a fact with its file and page, and answers with its sources', async () => {
    mkdirSync(modelsDir, { recursive: true });
    copyFileSync(stories260K, join(modelsDir, 'stories260K.gguf'));
    const pdf = join(dir.path, 'vault.pdf');
    writeFileSync(pdf, await textPdf([[filler(1), filler(2)], [filler(3), 'The vault code of the zorblax is 4471.', filler(4)], [filler(5)]]));
    const notes = join(dir.path, 'notes.md');
    writeFileSync(notes, '# Notes\n\nThe garden has seven apple trees.');
    const scan = join(dir.path, 'scan.pdf');
    writeFileSync(scan, 'not a pdf at all');

    const added = await hearth('docs', 'add', pdf, notes, scan, '--collection', 'Vault', '--embedding-model', 'stories260K.gguf').catch((error: { code: number; stdout: string; stderr: string }) => error);
    // One unreadable file makes the command fail after adding the others, saying why.
    expect(added).toMatchObject({ code: 1, stderr: expect.stringContaining('scan.pdf cannot be read: it is named .pdf but is not a PDF.') });
    expect(added.stdout).toMatch(/Added vault\.pdf \(pdf, 3 pages\)\nAdded notes\.md \(markdown\)\n/);
    expect(added.stdout).toMatch(/Indexed with stories260K\.gguf: \d+ chunks/);

    const listed = JSON.parse((await hearth('docs', 'list', '--json')).stdout) as { collections: { name: string; documents: number }[]; documents: { name: string; chunks: number; embeddedChunks: number }[] };
    expect(listed.collections).toEqual([expect.objectContaining({ name: 'Vault', documents: 2 })]);
    expect(listed.documents.map((document) => document.name).sort()).toEqual(['notes.md', 'vault.pdf']);
    expect(listed.documents.every((document) => document.chunks > 0 && document.embeddedChunks === document.chunks)).toBe(true);

    const hits = JSON.parse((await hearth('docs', 'search', 'zorblax', 'vault', '--collection', 'Vault', '--json')).stdout) as DocumentHit[];
    expect(hits[0]).toMatchObject({ name: 'vault.pdf', page: 2, keywordRank: 1, text: expect.stringContaining('4471') });
    expect(hits[0].score).toBeGreaterThan(0);
    const text = (await hearth('docs', 'search', 'apple trees')).stdout;
    expect(text).toMatch(/^\[1\] notes\.md, Notes {2}\(score 0\.\d+\)\n {2}The garden has seven apple trees\./);

    const { stdout } = await hearth('chat', '--docs', 'Vault', '--model', stories260K, '--max-tokens', '8', '--temperature', '0', 'zorblax vault code?');
    const sources = stdout.slice(stdout.lastIndexOf('\nSources:\n'));
    expect(sources).toMatch(/\[\d\] vault\.pdf, page 2/);
    const missing = await hearth('chat', '--docs', 'Nope', '--model', stories260K, 'Hi').catch((error: { stderr: string }) => error.stderr);
    expect(missing).toContain('There is no collection "Nope"');
  });
});
