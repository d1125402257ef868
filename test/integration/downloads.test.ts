import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Download } from '../../src-main/api';
import { History } from '../../src-main/history';
import { DownloadManager, partPathOf, writeGguf } from '../../src-main/models';
import { startFileServer, type Faults, type FileServer } from '../helpers/file-server';
import { Outbound } from '../../src-main/network';
import { temporaryDir } from '../helpers/paths';

const MiB = 1024 * 1024;
const repo = 'test-org/tiny-GGUF';
let payload: Buffer;

beforeAll(() => {
  const dir = temporaryDir();
  const path = join(dir.path, 'model.gguf');
  // A real GGUF header followed by 6 MiB of tensor data with a recognisable pattern.
  const data = new Uint8Array(6 * MiB);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 12)) & 0xff;
  writeGguf(path, { metadata: {}, tensors: [{ name: 'weights', shape: [data.length / 4], type: 'F32', data }] });
  payload = readFileSync(path);
  dir.remove();
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

interface Harness {
  server: FileServer;
  manager: DownloadManager;
  modelsDir: string;
  changes: Download[];
  finished(id: number): Promise<Download>;
  close(): Promise<void>;
}

async function harness(faults: Faults = {}, options: { diskFree?: number | null; dataDir?: string; server?: FileServer; stallMs?: number } = {}): Promise<Harness> {
  const server = options.server ?? (await startFileServer({ [`${repo}/tiny-Q4_K_M.gguf`]: payload, [`${repo}/tiny-Q8_0.gguf`]: payload, 'files/plain.gguf': payload }, faults));
  const dir = temporaryDir();
  const dataDir = options.dataDir ?? dir.path;
  const modelsDir = join(dataDir, 'models');
  mkdirSync(modelsDir, { recursive: true });
  const history = History.open(join(dataDir, 'history.sqlite'));
  const changes: Download[] = [];
  const waiters = new Map<number, (download: Download) => void>();
  const manager = new DownloadManager({
    modelsDir,
    store: history.downloads,
    hub: () => ({ endpoint: server.url, token: null }),
    outbound: new Outbound({ offline: () => false }),
    diskFree: async () => (options.diskFree === undefined ? 100 * 1024 * MiB : options.diskFree),
    onProgress: () => undefined,
    onChange: (download) => {
      changes.push(download);
      if (['completed', 'failed', 'cancelled', 'paused'].includes(download.status)) waiters.get(download.id)?.(download);
    },
    stallMs: options.stallMs ?? 400,
    backoffMs: () => 20
  });
  return {
    server,
    manager,
    modelsDir,
    changes,
    finished: (id) => new Promise((resolve) => waiters.set(id, resolve)),
    async close() {
      await manager.stopAll();
      history.close();
      if (!options.server) await server.close();
      if (!options.dataDir) dir.remove();
    }
  };
}

describe('download manager against a local Hub with injected faults', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  async function download(source: string) {
    const started = await h!.manager.start(source);
    return h!.finished(started.id);
  }

  function expectInPlace(fileName: string) {
    expect(sha256(readFileSync(join(h!.modelsDir, fileName)))).toBe(sha256(payload));
    expect(existsSync(partPathOf(h!.modelsDir, fileName))).toBe(false);
  }

  it('downloads hf:owner/repo/file.gguf, verified against the published SHA-256', async () => {
    h = await harness();
    const done = await download(`hf:${repo}/tiny-Q8_0.gguf`);
    expect(done).toMatchObject({ status: 'completed', totalBytes: payload.length, receivedBytes: payload.length, sha256: sha256(payload), expectedSha256: sha256(payload) });
    expectInPlace('tiny-Q8_0.gguf');
    expect(h.server.bytesSent()).toBe(payload.length);
  });

  it('resolves hf:owner/repo:QUANT to the file of that quantization', async () => {
    h = await harness();
    const done = await download(`hf:${repo}:Q4_K_M`);
    expect(done).toMatchObject({ status: 'completed', fileName: 'tiny-Q4_K_M.gguf' });
    await expect(h.manager.start(`hf:${repo}:Q2_K`)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  const resumes: [string, () => Faults][] = [
    ['a connection dropped at 2.5 MiB', () => ({ dropAfterBytes: 2.5 * MiB })],
    ['a stalled connection (watchdog)', () => ({ stallAfterBytes: 3 * MiB })],
    ['a declared Content-Length longer than what comes', () => ({ contentLength: payload.length + 12345, dropAfterBytes: 4 * MiB })]
  ];
  for (const [name, faults] of resumes) {
    it(`resumes after ${name}, re-fetching less than 1 MiB`, async () => {
      h = await harness(faults());
      const done = await download(`hf:${repo}/tiny-Q8_0.gguf`);
      expect(done.status).toBe('completed');
      expectInPlace('tiny-Q8_0.gguf');
      expect(h.server.bytesSent() - payload.length).toBeLessThan(MiB);
      expect(h.server.requests.some((request) => request.range !== null)).toBe(true);
      expect(done.retries).toBeGreaterThanOrEqual(1);
    });
  }

  it('retries with backoff after HTTP 500s, then completes', async () => {
    h = await harness({ errorsFirst: 2 });
    const done = await download(`hf:${repo}/tiny-Q8_0.gguf`);
    // The size check (HEAD) meets the first 500; the transfer retries through the rest.
    expect(done.status).toBe('completed');
    expect(done.retries).toBeGreaterThanOrEqual(1);
    expectInPlace('tiny-Q8_0.gguf');
  });

  it('completes from a server without Range support, starting that file over', async () => {
    h = await harness({ noRange: true, dropAfterBytes: 2 * MiB });
    const done = await download(`hf:${repo}/tiny-Q8_0.gguf`);
    expect(done.status).toBe('completed');
    expectInPlace('tiny-Q8_0.gguf');
  });

  it('quarantines a file whose SHA-256 does not match, and never puts it in the library', async () => {
    h = await harness({ publishedSha256: 'f'.repeat(64) });
    const done = await download(`hf:${repo}/tiny-Q8_0.gguf`);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/SHA-256 mismatch/);
    expect(existsSync(join(h.modelsDir, 'tiny-Q8_0.gguf'))).toBe(false);
    expect(existsSync(join(h.modelsDir, '.quarantine', 'tiny-Q8_0.gguf'))).toBe(true);
  });

  it('pauses keeping the part, resumes from it, and cancel deletes the part', async () => {
    h = await harness({ stallAfterBytes: 3 * MiB });
    const started = await h.manager.start(`${h.server.url}/files/plain.gguf`);
    // Until a good part has come: a busy machine may take longer than any fixed wait.
    for (let waited = 0; h.manager.list()[0].receivedBytes < 2 * MiB && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    const paused = await h.manager.pause(started.id);
    expect(paused.status).toBe('paused');
    // The part has the file's size from the start (segments write into it in place): what it holds is the record's.
    expect(readFileSync(partPathOf(h.modelsDir, 'plain.gguf')).length).toBe(payload.length);
    const partBytes = paused.receivedBytes;
    expect(partBytes).toBeGreaterThan(MiB);
    const sentBeforeResume = h.server.bytesSent();
    const finished = h.finished(started.id);
    await h.manager.resume(started.id);
    expect((await finished).status).toBe('completed');
    expect(h.server.bytesSent() - sentBeforeResume).toBeLessThanOrEqual(payload.length - partBytes + MiB);

    const second = await h.manager.start(`hf:${repo}/tiny-Q4_K_M.gguf`);
    const cancelled = await h.manager.cancel(second.id);
    expect(cancelled.status).toBe('cancelled');
    expect(existsSync(partPathOf(h.modelsDir, 'tiny-Q4_K_M.gguf'))).toBe(false);
  });

  it('refuses a download that will not fit on the disk, counting the part already there', async () => {
    h = await harness({}, { diskFree: 200 * MiB });
    await expect(h.manager.start(`hf:${repo}/tiny-Q8_0.gguf`)).rejects.toMatchObject({ code: 'DISK_FULL', message: expect.stringMatching(/needs 6 MiB more, but only 200 MiB is free/) });
    expect(h.manager.list()).toEqual([]);
    await h.close();
    h = await harness({}, { diskFree: 256 * MiB + 2 * MiB });
    writeFileSync(partPathOf(h.modelsDir, 'tiny-Q8_0.gguf'), payload.subarray(0, 5 * MiB));
    const started = await h.manager.start(`hf:${repo}/tiny-Q8_0.gguf`);
    expect((await h.finished(started.id)).status).toBe('completed');
    expect(h.server.bytesSent()).toBe(payload.length - 5 * MiB);
  });

  it('resumes unfinished downloads after a restart, from their part files', async () => {
    const dir = temporaryDir();
    const server = await startFileServer({ [`${repo}/tiny-Q8_0.gguf`]: payload }, { stallAfterBytes: 2 * MiB });
    // The stall is not given up on before the restart: a busy machine must not finish the download first.
    h = await harness({}, { dataDir: dir.path, server, stallMs: 60_000 });
    await h.manager.start(`hf:${repo}/tiny-Q8_0.gguf`);
    // Until the server stalls and what came is on disk: a busy machine may take longer than any fixed wait.
    const received = () => h!.manager.list()[0]?.receivedBytes ?? 0;
    for (let waited = 0; received() < 2 * MiB && waited < 20_000; waited += 25) await new Promise((resolve) => setTimeout(resolve, 25));
    await h.close();
    const sentBeforeRestart = server.bytesSent();
    const requestsBeforeRestart = server.requests.length;
    h = await harness({}, { dataDir: dir.path, server });
    const [unfinished] = h.manager.list();
    expect(unfinished.status).toBe('downloading');
    const resumedFrom = unfinished.receivedBytes;
    expect(resumedFrom).toBeGreaterThanOrEqual(2 * MiB);
    const finished = h.finished(unfinished.id);
    h.manager.resumeInterrupted();
    expect((await finished).status).toBe('completed');
    // Only what was missing came again, and no request after the restart started from the beginning.
    expect(server.bytesSent() - sentBeforeRestart).toBeLessThanOrEqual(payload.length - resumedFrom);
    const resumed = server.requests.slice(requestsBeforeRestart).filter((request) => request.path.endsWith('.gguf') && request.range);
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.every((request) => !request.range!.startsWith('bytes=0-'))).toBe(true);
    await h.close();
    await server.close();
    h = null;
    dir.remove();
  });

  it('rejects sources that are not downloads', async () => {
    h = await harness();
    for (const source of ['ftp://x/y.gguf', 'hf:just-a-name', 'hf:a/b/../../etc/passwd', 'https://example.com/readme.md', 'nonsense']) {
      await expect(h.manager.start(source)).rejects.toMatchObject({ code: 'VALIDATION' });
    }
  });
});

describe('inspecting a remote GGUF before downloading', () => {
  it('reads only the header with range requests', async () => {
    const { startTestHearth } = await import('../helpers/hearth');
    const { stories260K } = await import('../helpers/paths');
    const model = readFileSync(stories260K);
    const server = await startFileServer({ 'files/stories.gguf': model });
    const t = await startTestHearth();
    try {
      const inspected = await t.call('downloads.inspect', { source: `${server.url}/files/stories.gguf`, contextSize: 2048 });
      expect(inspected).toMatchObject({ fileName: 'stories.gguf', sizeBytes: model.length, fit: { fitClass: 'cpu', contextSize: 2048 } });
      expect(inspected.fit.explanation).toMatch(/MiB weights \+ .* → CPU only/);
      expect(server.requests.every((request) => request.path === '/files/stories.gguf')).toBe(true);
    } finally {
      await t.close();
      await server.close();
    }
  });
});

describe('parallel range segments', () => {
  it('downloads a file over four segments, survives a dropped segment, and joins it verified', async () => {
    const server = await startFileServer({ 'files/big.gguf': payload }, { dropAfterBytes: 512 * 1024 });
    const dir = temporaryDir();
    const history = History.open(join(dir.path, 'h.sqlite'));
    const modelsDir = join(dir.path, 'models');
    let manager!: DownloadManager;
    const done = new Promise<Download>((resolve) => {
      manager = new DownloadManager({
        modelsDir,
        store: history.downloads,
        hub: () => ({ endpoint: server.url, token: null }),
        outbound: new Outbound({ offline: () => false }),
        diskFree: async () => null,
        onProgress: () => undefined,
        onChange: (download) => (download.status === 'completed' || download.status === 'failed' ? resolve(download) : undefined),
        segments: 4,
        minimumSegmentBytes: MiB,
        backoffMs: () => 20
      });
      void manager.start(`${server.url}/files/big.gguf`);
    });
    try {
      const download = await done;
      expect(download).toMatchObject({ status: 'completed', segments: 4, sha256: sha256(payload) });
      expect(sha256(readFileSync(join(modelsDir, 'big.gguf')))).toBe(sha256(payload));
      expect(server.requests.filter((request) => /^bytes=\d+-\d+$/.test(request.range ?? '')).length).toBeGreaterThanOrEqual(5);
      expect(server.bytesSent() - payload.length).toBeLessThan(MiB);
      expect(existsSync(join(modelsDir, 'big.gguf.part.0'))).toBe(false);
    } finally {
      await manager.stopAll();
      history.close();
      await server.close();
      dir.remove();
    }
  });
});

describe('edge cases of resuming and resolving', () => {
  it('fetches again a part left without a record when no SHA-256 can check it, and says NOT_FOUND for a file the Hub does not list', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((request, response) => {
      if (request.url?.startsWith('/api/')) {
        response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify([{ type: 'file', path: 'whole.gguf', size: payload.length }]));
        return;
      }
      const start = Number(/bytes=(\d+)-/.exec(request.headers.range ?? '')?.[1] ?? 0);
      if (start >= payload.length) return void response.writeHead(416, { 'Content-Range': `bytes */${payload.length}` }).end();
      response.writeHead(200, { 'Content-Length': payload.length }).end(request.method === 'HEAD' ? undefined : payload);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
    const dir = temporaryDir();
    const history = History.open(join(dir.path, 'h.sqlite'));
    const modelsDir = join(dir.path, 'models');
    mkdirSync(modelsDir, { recursive: true });
    let manager!: DownloadManager;
    const finished = new Promise<Download>((resolve) => {
      manager = new DownloadManager({ modelsDir, store: history.downloads, hub: () => ({ endpoint: url, token: null }), outbound: new Outbound({ offline: () => false }), diskFree: async () => null, onProgress: () => undefined, onChange: (d) => (d.status === 'completed' || d.status === 'failed' ? resolve(d) : undefined), segments: 1, backoffMs: () => 10 });
    });
    try {
      await expect(manager.start('hf:org/repo/missing.gguf')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      // The listing publishes no SHA-256: the part could be any version, so none of it is kept.
      writeFileSync(partPathOf(modelsDir, 'whole.gguf'), Buffer.alloc(payload.length, 7));
      await manager.start('hf:org/repo/whole.gguf');
      expect(await finished).toMatchObject({ status: 'completed', sha256: sha256(payload) });
    } finally {
      await manager.stopAll();
      history.close();
      server.closeAllConnections();
      server.close();
      dir.remove();
    }
  });
});
