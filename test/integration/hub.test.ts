import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HubRepositoryFiles, HubSearchResult } from '../../src-main/api';
import { createHearth } from '../../src-main/app';
import type { FileServer } from '../helpers/file-server';
import { startTestHearth, type TestHearth } from '../helpers/hearth';
import { stories260K, temporaryDir } from '../helpers/paths';
import { builtCli } from '../helpers/server-process';
import { hubRepos, hubToken, startTestHub } from '../helpers/test-hub';

let hub: FileServer;
let t: TestHearth;

beforeAll(async () => {
  hub = await startTestHub(readFileSync(stories260K));
  // Hearth reads the Hub's address and the token on every call.
  process.env.HEARTH_HF_ENDPOINT = hub.url;
  t = await startTestHearth();
});

afterAll(async () => {
  await t.close();
  await hub.close();
  delete process.env.HEARTH_HF_ENDPOINT;
});

afterEach(() => {
  delete process.env.HF_TOKEN;
});

const ids = (result: HubSearchResult) => result.repositories.map((repository) => repository.id);

describe('Hub search through the API', () => {
  it('finds the GGUF repositories whose names match, most downloaded, liked or recent first', async () => {
    expect(ids(await t.call('hub.search', { query: 'Stories' }))).toEqual([hubRepos.popular, hubRepos.open, hubRepos.gated]);
    expect(ids(await t.call('hub.search', { query: 'stories', sort: 'likes' }))).toEqual([hubRepos.gated, hubRepos.open, hubRepos.popular]);
    expect(ids(await t.call('hub.search', { query: 'stories', sort: 'recent', limit: 2 }))).toEqual([hubRepos.popular, hubRepos.open]);
    expect(ids(await t.call('hub.search', { query: 'no such model' }))).toEqual([]);
  });

  it('says what a gated repository needs: accepting its terms, and a token', async () => {
    const result = await t.call('hub.search', { query: 'gated' });
    expect(result.repositories).toEqual([
      { id: hubRepos.gated, downloads: 100, likes: 99, lastModified: '2024-11-01T10:00:00.000Z', gated: 'manual', access: expect.stringMatching(/^Gated: accept its terms at .+, then give Hearth a Hugging Face token \(HF_TOKEN/) }
    ]);
  });

  it("lists a repository's files by quantization with sizes and a fit from the header of its smallest model file", async () => {
    const result = await t.call('hub.files', { repo: hubRepos.open, contextSize: 2048 });
    expect(result.access).toBeNull();
    expect(result.fitBasis).toBe("The model's shape is read from the header of stories260K-Q8_0.gguf on the Hub; the other files' weights are scaled from their sizes.");
    expect(result.groups.map((group) => [group.quantization, group.files.map((file) => [file.path, file.sizeBytes, file.parts])])).toEqual([
      ['BF16', [['BF16/stories260K-BF16-00001-of-00002.gguf', 3 * 1024 * 1024, 2]]],
      [
        'F16',
        [
          ['stories260K-F16.gguf', 2 * 1024 * 1024, 1],
          ['mmproj-stories260K-F16.gguf', 64 * 1024, 1]
        ]
      ],
      ['Q8_0', [['stories260K-Q8_0.gguf', 1_185_376, 1]]]
    ]);
    const [split, f16, projector, q8] = result.groups.flatMap((group) => group.files);
    expect(q8.source).toBe(`hf:${hubRepos.open}/stories260K-Q8_0.gguf`);
    expect(q8.fit?.explanation).toMatch(/^stories260K-Q8_0\.gguf: 1 MiB weights \+ \d+ MiB context \(2K\) \+ \d+ MiB buffers = \d+ MiB .*→ (CPU only|full GPU offload|partial offload)/);
    expect(q8.fit?.weightsExact).toBe(true);
    expect(f16.fit?.weightsExact).toBe(false);
    expect(split).toMatchObject({ source: `hf:${hubRepos.open}/BF16/stories260K-BF16-00001-of-00002.gguf`, note: expect.stringContaining('Split into 2 parts') });
    expect(split.fit?.explanation).toMatch(/^stories260K-BF16\.gguf \(2 parts\): 3 MiB weights/);
    expect(projector).toMatchObject({ fit: null, note: expect.stringContaining('vision projector') });
  });

  it("logs every request it made in Settings → Network, the search's text left out", async () => {
    const rows = (await t.call('network.log')).filter((row) => row.purpose === 'hub' || row.purpose === 'inspect');
    const urls = rows.map((row) => `${row.purpose} ${row.url} ${row.status}`);
    expect(urls).toContain(`hub ${hub.url}/api/models?… 200`);
    expect(urls).toContain(`hub ${hub.url}/api/models/${hubRepos.open}?… 200`);
    expect(urls).toContain(`hub ${hub.url}/api/models/${hubRepos.open}/tree/main?… 200`);
    expect(urls).toContain(`inspect ${hub.url}/${hubRepos.open}/resolve/main/stories260K-Q8_0.gguf 206`);
    expect(JSON.stringify(rows)).not.toContain('stories&');
  });

  it('lists a gated repository without a token, fitted from sizes, and reads its header with the token', async () => {
    const closed = await t.call('hub.files', { repo: hubRepos.gated });
    expect(closed.access).toMatch(/^Gated: accept its terms .*Hugging Face token/);
    expect(closed.fitBasis).toMatch(/^No header was read \(the repository is gated and Hearth has no token to read it with\)/);
    expect(closed.groups[0].files[0].fit?.explanation).toMatch(/^stories-gated-Q8_0\.gguf \(shaped like [^)]+\): 1 MiB weights \+ /);

    process.env.HF_TOKEN = hubToken;
    const opened = await t.call('hub.files', { repo: hubRepos.gated });
    expect(opened.access).toMatch(/^Gated: your Hugging Face token is sent/);
    expect(opened.fitBasis).toMatch(/^The model's shape is read from the header of stories-gated-Q8_0\.gguf/);
    expect(JSON.stringify(await t.call('network.log'))).not.toContain(hubToken);
  });

  it('says a missing repository is missing', async () => {
    expect(await t.raw('hub.files', { repo: 'test-org/nothing-here' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'The Hub has no repository test-org/nothing-here.' } });
  });

  it('refuses while offline, and logs the refusal', async () => {
    await t.call('settings.setNetwork', { offline: true });
    try {
      const refused = await t.raw('hub.search', { query: 'stories' });
      expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringContaining('Hearth is offline') } });
      expect((await t.call('network.log'))[0]).toMatchObject({ purpose: 'hub', blocked: true, status: null });
    } finally {
      await t.call('settings.setNetwork', { offline: false });
    }
  });
});

describe('`hearth models search` and `hearth models files`', () => {
  const dir = temporaryDir();
  const folders = ['--data-dir', join(dir.path, 'data'), '--models-dir', join(dir.path, 'models')];
  mkdirSync(join(dir.path, 'models'), { recursive: true });
  afterAll(() => dir.remove());

  /** Runs the built CLI; asynchronously, since the test Hub answers from this same process. */
  const hearth = (...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [builtCli, 'models', ...args, ...folders], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, HEARTH_HF_ENDPOINT: hub.url } }, (error, stdout, stderr) =>
        resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr })
      );
    });

  it('prints the search as JSON, in the order asked for', async () => {
    const run = await hearth('search', 'stories', '--sort', 'likes', '--json');
    expect(run.status, run.stderr).toBe(0);
    expect(ids(JSON.parse(run.stdout) as HubSearchResult)).toEqual([hubRepos.gated, hubRepos.open, hubRepos.popular]);
  });

  it("prints a repository's files by quantization, each with its fit, its sentence and the command that downloads it", async () => {
    const run = await hearth('files', hubRepos.open, '--context', '2048');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${hubRepos.open}: GGUF files by quantization, fitted at 2,048 tokens of context (at most the model's own).`);
    expect(run.stdout).toMatch(/\nQ8_0\n {2}(CPU|Full GPU|Partial \d+\/\d+) {2}1 MiB {2}stories260K-Q8_0\.gguf\n {4}stories260K-Q8_0\.gguf: 1 MiB weights/);
    expect(run.stdout).toContain(`    hearth models pull hf:${hubRepos.open}/stories260K-Q8_0.gguf`);
    const json = JSON.parse((await hearth('files', hubRepos.gated, '--json')).stdout) as HubRepositoryFiles;
    expect(json.access).toMatch(/Hugging Face token/);
  });

  it('refuses while Hearth is offline', async () => {
    const app = await createHearth({ dataDir: join(dir.path, 'data'), modelsDir: join(dir.path, 'models'), databaseFile: join(dir.path, 'data', 'history.sqlite') });
    await app.router.call('settings.setNetwork', { offline: true });
    await app.close();
    const run = await hearth('search', 'stories');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^hearth: Hearth is offline, so it did not contact 127\.0\.0\.1:\d+\./);
  });
});
