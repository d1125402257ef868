import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listModels, writeGguf } from '../../src-main/models';
import { downloadHarness, MiB, sha256, type DownloadHarness } from '../helpers/downloads';
import { startFileServer, type FileServer } from '../helpers/file-server';
import { writeSplitGguf } from '../helpers/gguf-split';
import { temporaryDir } from '../helpers/paths';

const repo = 'test-org/big-GGUF';
const names = [1, 2, 3].map((part) => `big-Q4_K_M-0000${part}-of-00003.gguf`);
let parts: Buffer[];

beforeAll(() => {
  const dir = temporaryDir();
  try {
    // Three tensors of 2 MiB, one to a part: each part a GGUF of its own, as llama-gguf-split writes them.
    const tensors = [0, 1, 2].map((index) => ({ name: `blk.${index}.weight`, shape: [(2 * MiB) / 4], type: 'F32' as const, data: new Uint8Array(2 * MiB).map((_, i) => (i * 13 + index * 101) & 0xff) }));
    writeGguf(join(dir.path, 'whole.gguf'), { metadata: {}, tensors });
    parts = writeSplitGguf(join(dir.path, 'whole.gguf'), 3, (part) => join(dir.path, names[part - 1])).map((path) => readFileSync(path));
  } finally {
    dir.remove();
  }
});

describe('downloading a split model', () => {
  let server: FileServer;
  let h: DownloadHarness | null = null;
  beforeAll(async () => {
    server = await startFileServer({
      ...Object.fromEntries(names.map((name, index) => [`${repo}/${name}`, parts[index]])),
      ...Object.fromEntries(names.map((name, index) => [`files/${name}`, parts[index]])),
      [`${repo}/big-Q8_0.gguf`]: parts[0]
    });
  });
  afterAll(() => server.close());
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it('fetches every part of hf:owner/repo:QUANT as one download, resuming only the part a drop cut, and lists one model', async () => {
    h = downloadHarness(server);
    const total = parts.reduce((sum, part) => sum + part.length, 0);
    // Mid-way through the second part.
    server.faults.dropAtSentBytes = parts[0].length + MiB;
    const started = await h.manager.start(`hf:${repo}:Q4_K_M`);
    expect(started).toMatchObject({ fileName: names[0], parts: 3, totalBytes: total });
    const done = await h.settled(started.id);
    expect(done).toMatchObject({ status: 'completed', fileName: names[0], parts: 3, totalBytes: total, receivedBytes: total, retries: 1 });
    for (const [index, name] of names.entries()) expect(sha256(readFileSync(join(h.modelsDir, name))), name).toBe(sha256(parts[index]));
    expect(readdirSync(h.modelsDir).sort()).toEqual(names);

    const requestsFor = (index: number) => server.requests.filter((request) => request.path.endsWith(names[index]));
    expect(requestsFor(0)).toHaveLength(1);
    expect(requestsFor(2)).toHaveLength(1);
    const second = requestsFor(1);
    expect(second).toHaveLength(2);
    expect(Number(/^bytes=(\d+)-/.exec(second[1].range ?? '')?.[1])).toBeGreaterThan(0);
    expect(second[1].ifRange).not.toBeNull();
    expect(server.bytesSent() - total).toBeLessThan(MiB);

    const models = await listModels(h.modelsDir);
    expect(models).toEqual([expect.objectContaining({ name: names[0], parts: 3, sizeBytes: total, usable: true })]);
  });

  it('brings every part when given the first part by URL, and refuses a later part', async () => {
    h = downloadHarness(server);
    await expect(h.manager.start(`${server.url}/files/${names[1]}`)).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/part 2 of 3.*first part/) });
    const started = await h.manager.start(`${server.url}/files/${names[0]}`);
    expect(await h.settled(started.id)).toMatchObject({ status: 'completed', parts: 3 });
    for (const [index, name] of names.entries()) expect(sha256(readFileSync(join(h.modelsDir, name)))).toBe(sha256(parts[index]));
  });

  it('checks a split model before downloading by every part\'s header, spliced as for files on disk', async () => {
    h = downloadHarness(server);
    const before = server.requests.length;
    const inspected = await h.manager.inspect(`hf:${repo}:Q4_K_M`);
    expect(inspected).toMatchObject({ fileName: names[0], sizeBytes: parts.reduce((sum, part) => sum + part.length, 0) });
    expect(inspected.info.fullTensorInfo?.map((tensor) => tensor.name)).toEqual(['blk.0.weight', 'blk.1.weight', 'blk.2.weight']);
    const reads = server.requests.slice(before).filter((request) => request.path.includes('/resolve/'));
    expect(reads.map((request) => request.path.split('/').at(-1))).toEqual(names);
    expect(reads.every((request) => request.range === 'bytes=0-16383')).toBe(true);
  });

  it('cancel deletes the part files of every file of the set, those already verified too', async () => {
    h = downloadHarness(server);
    server.faults.bytesPerSecond = 8 * MiB;
    try {
      const started = await h.manager.start(`hf:${repo}/${names[0]}`);
      const received = () => h!.manager.list()[0]?.receivedBytes ?? 0;
      for (let waited = 0; received() < parts[0].length + MiB / 2 && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(h.manager.list()[0]).toMatchObject({ status: 'downloading', parts: 3 });
      expect(existsSync(join(h.modelsDir, `${names[0]}.part`))).toBe(true);
      expect((await h.manager.cancel(started.id)).status).toBe('cancelled');
      expect(readdirSync(h.modelsDir)).toEqual([]);
    } finally {
      server.faults.bytesPerSecond = undefined;
    }
  });
});
