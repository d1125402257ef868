import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Download } from '../../src-main/api';
import { writeGguf } from '../../src-main/models';
import { startFileServer, type FileServer } from '../helpers/file-server';
import { temporaryDir } from '../helpers/paths';
import { builtCli, killed, startServerProcess, type ServerProcess } from '../helpers/server-process';

const MiB = 1024 * 1024;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');


/** The restarted server's one download once it completed or failed (within 20 s), as downloads.list gives it. */
async function settled(server: ServerProcess): Promise<Download | undefined> {
  let download: Download | undefined;
  for (let waited = 0; waited < 20_000; waited += 100) {
    [download] = await server.call<Download[]>('downloads.list');
    if (download?.status === 'completed' || download?.status === 'failed') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return download;
}
describe('downloads across process deaths (built CLI, real processes, local Hub)', () => {
  const dir = temporaryDir();
  let payload: Buffer;
  let hub: FileServer;
  beforeAll(async () => {
    const path = join(dir.path, 'payload.gguf');
    writeGguf(path, { metadata: {}, tensors: [{ name: 'w', shape: [(8 * MiB) / 4], type: 'F32', data: new Uint8Array(8 * MiB).map((_, i) => (i * 7) & 0xff) }] });
    payload = readFileSync(path);
    hub = await startFileServer({ 'org/repo/model-Q8_0.gguf': payload, 'org/repo/other-Q8_0.gguf': payload, 'files/segmented.gguf': payload }, { stallAfterBytes: 3 * MiB });
  });
  afterAll(async () => {
    await hub.close();
    dir.remove();
  });

  it('SIGKILL mid-download: the next start resumes from the .part file and the SHA-256 is right', async () => {
    const dataDir = join(dir.path, 'data');
    const args = ['--data-dir', dataDir];
    const env = { HEARTH_HF_ENDPOINT: hub.url };
    let server = await startServerProcess(args, env);
    const started = await server.call<Download>('downloads.start', { source: 'hf:org/repo/model-Q8_0.gguf' });
    for (let waited = 0; waited < 10_000; waited += 100) {
      const [download] = await server.call<Download[]>('downloads.list');
      if (download.receivedBytes >= 3 * MiB) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await killed(server.child, 'SIGKILL');
    const sentBeforeRestart = hub.bytesSent();

    server = await startServerProcess(args, env);
    try {
      const download = await settled(server);
      expect(download).toMatchObject({ id: started.id, status: 'completed', sha256: sha256(payload), expectedSha256: sha256(payload) });
      expect(sha256(readFileSync(join(dataDir, 'models', 'model-Q8_0.gguf')))).toBe(sha256(payload));
      // Bytes count once synced, at least every MiB: the crash cost less than a MiB of what had come.
      expect(hub.bytesSent() - sentBeforeRestart).toBeLessThanOrEqual(payload.length - 3 * MiB + MiB);
    } finally {
      await killed(server.child, 'SIGTERM');
    }
  });

  it('SIGKILL mid-segment: every segment of the one part file resumes where it stopped', async () => {
    const dataDir = join(dir.path, 'segments-data');
    const args = ['--data-dir', dataDir];
    // 1 MiB segments: an 8 MiB file comes in four parallel range requests.
    const env = { HEARTH_HF_ENDPOINT: hub.url, HEARTH_DOWNLOAD_SEGMENT_MIB: '1' };
    hub.faults.stallEveryRequestAfterBytes = 1.5 * MiB;
    let server = await startServerProcess(args, env);
    let started: Download;
    try {
      started = await server.call<Download>('downloads.start', { source: `${hub.url}/files/segmented.gguf` });
      expect(started.segments).toBe(4);
      // Each segment has 1.5 MiB on disk, of which the first MiB is recorded as synced.
      for (let waited = 0; waited < 15_000; waited += 100) {
        const [download] = await server.call<Download[]>('downloads.list');
        if (download.receivedBytes >= 4 * MiB) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await killed(server.child, 'SIGKILL');
      hub.faults.stallEveryRequestAfterBytes = undefined;
    }
    const requestsBefore = hub.requests.length;
    const sentBeforeRestart = hub.bytesSent();

    server = await startServerProcess(args, env);
    try {
      const download = await settled(server);
      expect(download).toMatchObject({ id: started.id, status: 'completed', segments: 4, sha256: sha256(payload) });
      expect(sha256(readFileSync(join(dataDir, 'models', 'segmented.gguf')))).toBe(sha256(payload));
      const resumed = hub.requests.slice(requestsBefore).map((request) => Number(/^bytes=(\d+)-/.exec(request.range ?? '')?.[1]));
      const segmentStarts = [0, 2, 4, 6].map((n) => n * MiB);
      // One request per segment after the restart, each from at least a MiB into its segment, none from its start.
      expect(resumed).toHaveLength(4);
      for (const start of segmentStarts) expect(resumed.some((from) => from >= start + MiB && from < start + 2 * MiB), `segment at ${start}`).toBe(true);
      expect(hub.bytesSent() - sentBeforeRestart).toBeLessThanOrEqual(payload.length - 4 * MiB);
    } finally {
      await killed(server.child, 'SIGTERM');
    }
  });

  // The Hub runs in this process: the CLI must run asynchronously, or it would wait on a server that cannot answer.
  const pull = (source: string, modelsDir: string) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [builtCli, 'models', 'pull', source, '--data-dir', join(dir.path, 'pull-data'), '--models-dir', modelsDir], { env: { ...process.env, HEARTH_HF_ENDPOINT: hub.url }, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr })
      );
    });

  it('`hearth models pull` resumes a partial download of the same file and verifies it', async () => {
    const modelsDir = join(dir.path, 'pull-models');
    mkdirSync(modelsDir, { recursive: true });
    writeFileSync(join(modelsDir, 'other-Q8_0.gguf.part'), payload.subarray(0, 5 * MiB));
    const sentBefore = hub.bytesSent();
    const run = await pull('hf:org/repo:Q8_0', modelsDir);
    // Two files match Q8_0 in this repository: the shortest name wins, and that is "model-Q8_0.gguf".
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Downloaded model-Q8_0\.gguf .*matches the Hub/m);
    expect(hub.bytesSent() - sentBefore).toBe(payload.length);
    const resumed = await pull('hf:org/repo/other-Q8_0.gguf', modelsDir);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(hub.bytesSent() - sentBefore).toBe(2 * payload.length - 5 * MiB);
    expect(sha256(readFileSync(join(modelsDir, 'other-Q8_0.gguf')))).toBe(sha256(payload));
  });
});
