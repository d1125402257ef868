import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readGgufFileInfo } from 'node-llama-cpp';
import { afterEach, describe, expect, it } from 'vitest';
import type { Download } from '../../src-main/api';
import { partPathOf } from '../../src-main/models';
import { diskUse, downloadHarness, MiB, patternedGguf, sha256, type DownloadHarness, type HarnessOptions } from '../helpers/downloads';
import { startFileServer, type Faults, type FileServer } from '../helpers/file-server';
import { stories260K } from '../helpers/paths';

const repo = 'test-org/tiny-GGUF';
const v1 = patternedGguf(6, 0);
// The same size: only the version (ETag, Last-Modified) tells them apart, as with a re-quantized upload.
const v2 = patternedGguf(6, 1);

let server: FileServer | null = null;
let h: DownloadHarness | null = null;
afterEach(async () => {
  await h?.close();
  await server?.close();
  h = server = null;
});

async function setUp(files: Record<string, Buffer>, faults: Faults = {}, options: HarnessOptions = {}) {
  server = await startFileServer(files, faults);
  h = downloadHarness(server, options);
  return { server, h };
}

describe('resuming only what is still the same file', () => {
  const cases: [string, (url: string) => string, string][] = [
    ['a Hub file', () => `hf:${repo}/model-Q8_0.gguf`, `${repo}/model-Q8_0.gguf`],
    ['a plain URL', (url) => `${url}/files/plain.gguf`, 'files/plain.gguf']
  ];
  for (const [label, source, served] of cases) {
    it(`starts ${label} re-published between a drop and the resume again from zero, never splicing the versions`, async () => {
      const { server, h } = await setUp({ [served]: v1 }, { dropAfterBytes: 2.5 * MiB });
      server.faults.afterDrop = () => server.republish(served, v2);
      const started = await h.manager.start(source(server.url));
      const done = await h.settled(started.id);
      expect(done).toMatchObject({ status: 'completed', sha256: sha256(v2), note: expect.stringMatching(/changed on the server.*started again from zero/) });
      expect(sha256(readFileSync(join(h.modelsDir, done.fileName)))).toBe(sha256(v2));
      // The resume named the version it held; the server answered with the new one whole.
      const resumed = server.requests.filter((request) => request.ifRange !== null);
      expect(resumed.length).toBeGreaterThan(0);
      expect(resumed.every((request) => request.range !== null)).toBe(true);
      const noted = h.outbound.log().filter((record) => record.note);
      expect(noted).toEqual([expect.objectContaining({ purpose: 'download', status: 200, note: expect.stringMatching(/changed on the server/) })]);
    });
  }

  it('starts a file again from zero after a drop when the server names no version and nothing publishes its SHA-256', async () => {
    const { server, h } = await setUp({ 'files/plain.gguf': v1 }, { dropAfterBytes: 2.5 * MiB, noValidators: true });
    const started = await h.manager.start(`${server.url}/files/plain.gguf`);
    const done = await h.settled(started.id);
    expect(done).toMatchObject({ status: 'completed', sha256: sha256(v1), expectedSha256: null, note: expect.stringMatching(/names no version .* started again from zero/) });
    const transfers = server.requests.filter((request) => request.range !== 'bytes=0-0');
    // Both from the first byte: the second did not trust the 2.5 MiB the first left.
    expect(transfers.map((request) => request.range)).toEqual([`bytes=0-${v1.length - 1}`, `bytes=0-${v1.length - 1}`]);
    // The 2.5 MiB given up on, the whole file, and a byte for each look at its size (before, and after the restart).
    expect(server.bytesSent()).toBe(2.5 * MiB + v1.length + 2);
  });

  it('fetches a plain URL whose size the first look could not get as one stream, resuming it after a drop', async () => {
    const { server, h } = await setUp({ 'files/plain.gguf': v1 }, { errorsFirst: 1, dropAfterBytes: 2.5 * MiB });
    const started = await h.manager.start(`${server.url}/files/plain.gguf`);
    expect(started).toMatchObject({ totalBytes: null, segments: 1 });
    expect(await h.settled(started.id)).toMatchObject({ status: 'completed', totalBytes: v1.length, receivedBytes: v1.length, sha256: sha256(v1), note: null });
    // The size came with the first answer, so the resume asks for the rest of the file by its last byte.
    const [probe, first, resumed] = server.requests.map((request) => request.range);
    expect([probe, first]).toEqual(['bytes=0-0', null]);
    expect(resumed).toMatch(new RegExp(`^bytes=[1-9]\\d*-${v1.length - 1}$`));
  });

  it('carries If-Range on every ranged request of a resumed segmented download', async () => {
    const { server, h } = await setUp({ 'files/big.gguf': v1 }, { dropAfterBytes: 512 * 1024 }, { segments: 4, minimumSegmentBytes: MiB });
    const started = await h.manager.start(`${server.url}/files/big.gguf`);
    expect(await h.settled(started.id)).toMatchObject({ status: 'completed', segments: 4, sha256: sha256(v1), note: null });
    const ranged = server.requests.filter((request) => request.range !== null && request.range !== 'bytes=0-0');
    expect(ranged.length).toBeGreaterThanOrEqual(5);
    expect(ranged.every((request) => request.ifRange === `"${sha256(v1)}"`)).toBe(true);
  });
});

describe('segments written in place', () => {
  it('never holds more than the file on the disk, and the free-space check promises so', async () => {
    const big = patternedGguf(32);
    const { server, h } = await setUp({ 'files/big.gguf': big }, { bytesPerSecond: 24 * MiB }, { segments: 4, minimumSegmentBytes: MiB });
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, diskUse(h.modelsDir))), 1);
    try {
      const started = await h.manager.start(`${server.url}/files/big.gguf`);
      expect(await h.settled(started.id)).toMatchObject({ status: 'completed', segments: 4, sha256: sha256(big) });
    } finally {
      clearInterval(sampler);
    }
    expect(peak).toBeGreaterThan(big.length / 2);
    expect(peak).toBeLessThanOrEqual(big.length + 256 * 1024);
    expect(readdirSync(h.modelsDir)).toEqual(['big.gguf']);

    const small = downloadHarness(server, { segments: 4, minimumSegmentBytes: MiB, diskFree: 280 * MiB });
    try {
      await expect(small.manager.start(`${server.url}/files/big.gguf`)).rejects.toMatchObject({
        code: 'DISK_FULL',
        message: expect.stringMatching(/needs 32 MiB more, but only 280 MiB is free .* no more room than the file itself/)
      });
    } finally {
      await small.close();
    }
  });
});

describe('one download per source, and states that tell the truth', () => {
  it('refuses a second source with the same file name, explaining the clash, or saves it under the name the user picks', async () => {
    const a = patternedGguf(6, 2);
    const { server, h } = await setUp({ 'files/a/model.gguf': a, 'files/b/model.gguf': v1, [`${repo}/model-Q8_0.gguf`]: v2 }, { stallAfterBytes: 2 * MiB });
    const first = await h.manager.start(`${server.url}/files/a/model.gguf`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await h.manager.pause(first.id);
    await expect(h.manager.start(`${server.url}/files/b/model.gguf`)).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/model\.gguf is already being downloaded from .*\/files\/a\/model\.gguf.*another name/)
    });
    expect(h.manager.list()).toHaveLength(1);
    const renamed = await h.manager.start(`${server.url}/files/b/model.gguf`, { fileName: 'model-b.gguf' });
    expect(await h.settled(renamed.id)).toMatchObject({ status: 'completed', fileName: 'model-b.gguf', sha256: sha256(v1) });
    const resumedFirst = h.settled(first.id);
    await h.manager.resume(first.id);
    expect(await resumedFirst).toMatchObject({ status: 'completed', fileName: 'model.gguf', sha256: sha256(a) });
    expect(sha256(readFileSync(join(h.modelsDir, 'model.gguf')))).toBe(sha256(a));

    // Two spellings of one Hub file are one download.
    const byQuant = await h.manager.start(`hf:${repo}:Q8_0`);
    const byPath = await h.manager.start(`hf:${repo}/model-Q8_0.gguf`);
    expect(byPath.id).toBe(byQuant.id);
    await h.settled(byQuant.id);
  });

  it('a cancel during verification wins before the file is placed, and one after it says it came too late', async () => {
    let cancelled: Promise<Download> | null = null;
    const { server, h } = await setUp({ 'files/plain.gguf': v1 }, {}, {
      onChange: (download, manager) => {
        if (download.status === 'verifying' && !cancelled) cancelled = manager.cancel(download.id);
      }
    });
    const started = await h.manager.start(`${server.url}/files/plain.gguf`);
    await h.settled(started.id, ['cancelled', 'completed']);
    expect(await cancelled).toMatchObject({ status: 'cancelled', receivedBytes: 0 });
    expect(h.manager.list()[0]).toMatchObject({ status: 'cancelled' });
    expect(existsSync(join(h.modelsDir, 'plain.gguf'))).toBe(false);
    expect(existsSync(partPathOf(h.modelsDir, 'plain.gguf'))).toBe(false);

    const again = await h.manager.retry(started.id);
    const done = await h.settled(again.id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    await expect(h.manager.cancel(started.id)).rejects.toThrow(/too late: plain\.gguf is already verified and in the models folder/);
    await expect(h.manager.pause(started.id)).rejects.toThrow(/too late/);
    expect(h.manager.list()[0]).toMatchObject({ status: 'completed' });
    expect(existsSync(join(h.modelsDir, 'plain.gguf'))).toBe(true);
  });

  it('a pause during verification keeps every byte, and Resume only verifies again', async () => {
    let paused: Promise<Download> | null = null;
    const { server, h } = await setUp({ 'files/plain.gguf': v1 }, {}, {
      onChange: (download, manager) => {
        if (download.status === 'verifying' && !paused) paused = manager.pause(download.id);
      }
    });
    const started = await h.manager.start(`${server.url}/files/plain.gguf`);
    await h.settled(started.id, ['paused', 'completed']);
    expect(await paused).toMatchObject({ status: 'paused', receivedBytes: v1.length, totalBytes: v1.length });
    expect(existsSync(join(h.modelsDir, 'plain.gguf'))).toBe(false);
    const sent = server.bytesSent();
    const resumed = h.settled(started.id, ['completed', 'failed']);
    await h.manager.resume(started.id);
    expect(await resumed).toMatchObject({ status: 'completed', sha256: sha256(v1) });
    expect(server.bytesSent()).toBe(sent);
  });
});

describe('the network log', () => {
  it('has a row for every hop of a redirect, without its query string, each in a final state', async () => {
    const { server, h } = await setUp({ 'files/plain.gguf': v1 });
    const cdn = await startFileServer({ 'files/plain.gguf': v1 });
    try {
      server.redirect('/r/plain.gguf', '/s/plain.gguf', 307);
      server.redirect('/s/plain.gguf', `${cdn.url}/files/plain.gguf?X-Amz-Signature=secret`);
      const started = await h.manager.start(`${server.url}/r/plain.gguf`);
      expect(await h.settled(started.id)).toMatchObject({ status: 'completed', fileName: 'plain.gguf', sha256: sha256(v1) });
      const log = h.outbound.log().reverse();
      expect(log.every((record) => record.status !== null || record.error !== null)).toBe(true);
      expect(JSON.stringify(log)).not.toContain('secret');
      const hops = log.map((record) => `${record.purpose} ${record.url} ${record.status}`);
      const transfer = hops.slice(-3);
      expect(transfer).toEqual([`download ${server.url}/r/plain.gguf 307`, `download ${server.url}/s/plain.gguf 302`, expect.stringMatching(new RegExp(`^download ${cdn.url}/files/plain\\.gguf\\?… 20[06]$`))]);
      expect(cdn.requests.every((request) => request.authorization === null)).toBe(true);
    } finally {
      await cdn.close();
    }
  });

  it('sends the Hub token to the Hub only, never to the host a redirect leads to', async () => {
    const { server, h } = await setUp({ [`${repo}/model-Q8_0.gguf`]: v1 }, {}, { hubToken: 'hf_secret_token' });
    const cdn = await startFileServer({ 'files/model.gguf': v1 });
    try {
      server.redirect(`/${repo}/resolve/main/model-Q8_0.gguf`, `${cdn.url}/files/model.gguf?sig=1`);
      const started = await h.manager.start(`hf:${repo}/model-Q8_0.gguf`);
      expect(await h.settled(started.id)).toMatchObject({ status: 'completed', sha256: sha256(v1) });
      expect(server.requests.every((request) => request.authorization === 'Bearer hf_secret_token')).toBe(true);
      expect(cdn.requests.length).toBeGreaterThan(0);
      expect(cdn.requests.every((request) => request.authorization === null)).toBe(true);
    } finally {
      await cdn.close();
    }
  });
});

describe('the header check before a download', () => {
  it('reads about the header of a small remote file in at most two requests, each logged as a header check with its answer', async () => {
    const model = readFileSync(stories260K);
    const header = (await readGgufFileInfo(stories260K)).infoEndOffset!;
    const { server, h } = await setUp({ 'files/stories.gguf': model });
    const startedAt = performance.now();
    const inspected = await h.manager.inspect(`${server.url}/files/stories.gguf`);
    expect(performance.now() - startedAt).toBeLessThan(3000);
    expect(inspected).toMatchObject({ fileName: 'stories.gguf', sizeBytes: model.length });
    expect(inspected.info.tensorInfo).toHaveLength(48);
    expect(server.requests.length).toBeLessThanOrEqual(2);
    expect(server.requests.every((request) => request.method === 'GET' && request.range !== null)).toBe(true);
    expect(server.bytesSent()).toBeGreaterThanOrEqual(header);
    expect(server.bytesSent()).toBeLessThanOrEqual(2 * header);
    const log = h.outbound.log();
    expect(log.length).toBe(server.requests.length);
    expect(log.every((record) => record.purpose === 'inspect' && record.status === 206)).toBe(true);
  });
});
