import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Download } from '../../src-main/api';
import { History } from '../../src-main/history';
import { DownloadManager, writeGguf } from '../../src-main/models';
import { Outbound } from '../../src-main/network';
import type { FileServer } from './file-server';
import { temporaryDir } from './paths';

export const MiB = 1024 * 1024;
export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A real GGUF (so a download passes its header check): `megabytes` MiB of patterned tensor data, `seed` changing the pattern. */
export function patternedGguf(megabytes: number, seed = 0): Buffer {
  const dir = temporaryDir();
  try {
    const path = join(dir.path, 'model.gguf');
    const data = new Uint8Array(megabytes * MiB);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 12) + seed) & 0xff;
    writeGguf(path, { metadata: {}, tensors: [{ name: 'weights', shape: [data.length / 4], type: 'F32', data }] });
    return readFileSync(path);
  } finally {
    dir.remove();
  }
}

export interface DownloadHarness {
  manager: DownloadManager;
  outbound: Outbound;
  modelsDir: string;
  changes: Download[];
  /** The next time download `id` reaches `status` (completed, failed, cancelled or paused by default). */
  settled(id: number, statuses?: Download['status'][]): Promise<Download>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  segments?: number;
  minimumSegmentBytes?: number;
  diskFree?: number | null;
  stallMs?: number;
  /** A Hugging Face token, sent to the Hub only. */
  hubToken?: string;
  /** Told of every change before anyone waiting on it. */
  onChange?: (download: Download, manager: DownloadManager) => void;
}

/** A download manager over a fresh data folder, its history and the given local Hub. */
export function downloadHarness(server: FileServer, options: HarnessOptions = {}): DownloadHarness {
  const dir = temporaryDir();
  const modelsDir = join(dir.path, 'models');
  mkdirSync(modelsDir, { recursive: true });
  const history = History.open(join(dir.path, 'history.sqlite'));
  const changes: Download[] = [];
  const waiters = new Set<(download: Download) => void>();
  const outbound = new Outbound({ offline: () => false });
  const manager: DownloadManager = new DownloadManager({
    modelsDir,
    store: history.downloads,
    hub: () => ({ endpoint: server.url, token: options.hubToken ?? null }),
    outbound,
    diskFree: async () => (options.diskFree === undefined ? 100 * 1024 * MiB : options.diskFree),
    onProgress: () => undefined,
    onChange: (download) => {
      changes.push(download);
      options.onChange?.(download, manager);
      for (const waiter of [...waiters]) waiter(download);
    },
    segments: options.segments ?? 1,
    minimumSegmentBytes: options.minimumSegmentBytes,
    stallMs: options.stallMs ?? 2000,
    backoffMs: () => 20
  });
  return {
    manager,
    outbound,
    modelsDir,
    changes,
    settled: (id, statuses = ['completed', 'failed', 'cancelled', 'paused']) =>
      new Promise((resolve) => {
        const waiter = (download: Download) => {
          if (download.id !== id || !statuses.includes(download.status)) return;
          waiters.delete(waiter);
          resolve(download);
        };
        waiters.add(waiter);
      }),
    async close() {
      await manager.stopAll();
      history.close();
      dir.remove();
    }
  };
}

/** Bytes the files under `dir` take on the disk (allocated blocks, so a sparse file counts only what was written). */
export function diskUse(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    try {
      total += statSync(join(entry.parentPath, entry.name)).blocks * 512;
    } catch {
      // Renamed or deleted between the listing and the stat: it is counted under its new name, or gone.
    }
  }
  return total;
}
