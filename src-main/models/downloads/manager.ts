import type { Outbound } from '../../network';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError, type Download } from '../../api';
import { formatBytes } from '../../catalog';
import { readGgufFileInfo, type GgufFileInfo } from 'node-llama-cpp';
import { readGgufHeader } from '../gguf';
import { hubHeaders, resolveSource, type HubOptions } from './sources';
import { removeSegments, segmentBytesOnDisk, segmentCount, transferInSegments } from './segments';
import { transfer, TransferError } from './transfer';
import { fileSize } from '../fileSize';

/** Fields of a download the manager changes as it works. */
export type DownloadChanges = Partial<Pick<Download, 'totalBytes' | 'receivedBytes' | 'status' | 'error' | 'expectedSha256' | 'sha256' | 'retries' | 'segments'>>;

/** Where the queue lives (the history database's `downloads`): what was asked for survives crashes and restarts. */
export interface DownloadRecords {
  list(): Download[];
  get(id: number): Download | null;
  create(entry: { source: string; url: string; fileName: string; totalBytes: number | null; expectedSha256: string | null; segments: number }): Download;
  update(id: number, changes: DownloadChanges): Download;
  /** An unfinished download of the same file, to resume rather than start again. */
  findActive(fileName: string): Download | null;
  /** What was running when the app stopped, back in the queue; returns the queue. */
  requeueInterrupted(): Download[];
}

export interface DownloadManagerOptions {
  modelsDir: string;
  store: DownloadRecords;
  /** Read on every request, so a token set while the app runs is used at once. */
  hub: () => HubOptions;
  /** The one door to the network: logs every request and blocks them all while offline. */
  outbound: Outbound;
  /** Free bytes on the disk holding `path`; the probe's figure, injectable so tests can shrink it. */
  diskFree: (path: string) => Promise<number | null>;
  onProgress: (download: Download) => void;
  onChange: (download: Download) => void;
  concurrency?: number;
  /** Parallel range requests per large file (1 turns segments off). */
  segments?: number;
  /** A file is split only into segments at least this large. */
  minimumSegmentBytes?: number;
  stallMs?: number;
  backoffMs?: (attempt: number) => number;
  maxRetries?: number;
}

/** Room left on the disk after a download, so the system does not run dry. */
export const diskReserveBytes = 256 * 1024 * 1024;
const progressIntervalMs = 250;

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

export const partPathOf = (modelsDir: string, fileName: string) => join(modelsDir, `${fileName}.part`);

/**
 * Runs the queue: a few downloads at once, each resumable from its .part file, verified against the
 * Hub's SHA-256 when there is one, renamed into place only when whole. Pause keeps the part; cancel
 * deletes it; a restart resumes whatever was unfinished.
 */
export class DownloadManager {
  private readonly running = new Map<number, Running>();

  constructor(private readonly options: DownloadManagerOptions) {}

  list(): Download[] {
    return this.options.store.list();
  }

  /** The remote file's GGUF header, read with range requests (only the header's bytes travel). */
  async inspect(source: string): Promise<{ fileName: string; sizeBytes: number | null; info: GgufFileInfo }> {
    const resolved = await resolveSource(source, this.options.hub(), this.options.outbound);
    this.options.outbound.permit('inspect', resolved.url);
    try {
      const info = await readGgufFileInfo(resolved.url, { sourceType: 'network', fetchHeaders: hubHeaders(this.options.hub(), resolved.url), fetchRetryOptions: { retries: 2 } });
      return { fileName: resolved.fileName, sizeBytes: resolved.sizeBytes ?? (await this.remoteInfo(resolved.url)).size, info };
    } catch (error) {
      throw new ApiError('DOWNLOAD_FAILED', `Could not read the GGUF header of ${resolved.fileName}: ${(error as Error).message.split('\n')[0]}`);
    }
  }

  /** Resumes what a crash or a quit left unfinished. */
  resumeInterrupted(): void {
    if (this.options.store.requeueInterrupted().length > 0) this.pump();
  }

  async start(source: string): Promise<Download> {
    const resolved = await resolveSource(source, this.options.hub(), this.options.outbound);
    const finalPath = join(this.options.modelsDir, resolved.fileName);
    if (await stat(finalPath).then(() => true, () => false)) throw new ApiError('VALIDATION', `${resolved.fileName} is already in the models folder.`);
    const existing = this.options.store.findActive(resolved.fileName);
    if (existing && this.running.has(existing.id)) return existing;
    const remote = await this.remoteInfo(resolved.url);
    const total = resolved.sizeBytes ?? remote.size;
    await this.ensureRoom(resolved.fileName, total, existing?.segments ?? 1);
    const segments = segmentCount(total, remote.acceptsRanges, this.options.segments ?? 4, this.options.minimumSegmentBytes ?? 64 * 1024 * 1024);
    const download = existing
      ? this.options.store.update(existing.id, { status: 'queued', error: null, totalBytes: total ?? existing.totalBytes })
      : this.options.store.create({ source, url: resolved.url, fileName: resolved.fileName, totalBytes: total, expectedSha256: resolved.expectedSha256, segments });
    this.options.onChange(download);
    this.pump();
    return download;
  }

  /** Stops the transfer and keeps its part; resolves once nothing more is being written. */
  async pause(id: number): Promise<Download> {
    this.require(id, ['queued', 'downloading']);
    const running = this.running.get(id);
    running?.controller.abort(new TransferError('paused', false));
    await running?.done;
    return this.setStatus(id, { status: 'paused', error: null, receivedBytes: await this.bytesOnDisk(this.require(id)) });
  }

  async resume(id: number): Promise<Download> {
    const download = this.require(id, ['paused', 'failed', 'cancelled', 'queued', 'downloading']);
    if (this.running.has(id)) return download;
    await this.ensureRoom(download.fileName, download.totalBytes, download.segments);
    const queued = this.setStatus(id, { status: 'queued', error: null });
    this.pump();
    return queued;
  }

  retry(id: number): Promise<Download> {
    return this.resume(id);
  }

  async cancel(id: number): Promise<Download> {
    const download = this.require(id, ['queued', 'downloading', 'paused', 'verifying', 'failed']);
    const running = this.running.get(id);
    running?.controller.abort(new TransferError('cancelled', false));
    await running?.done;
    const partPath = partPathOf(this.options.modelsDir, download.fileName);
    await rm(partPath, { force: true });
    await removeSegments(partPath, download.segments);
    return this.setStatus(id, { status: 'cancelled', error: null, receivedBytes: 0 });
  }

  /** Stops every transfer, keeping the parts, so the next start resumes them. */
  async stopAll(): Promise<void> {
    const running = [...this.running];
    for (const [, entry] of running) entry.controller.abort(new TransferError('the app is closing', false));
    await Promise.all(running.map(([, entry]) => entry.done));
    // Progress is recorded a few times a second: the record ends with what the part really holds.
    for (const [id] of running) this.options.store.update(id, { receivedBytes: await this.bytesOnDisk(this.require(id)) });
  }

  private require(id: number, allowed?: Download['status'][]): Download {
    const download = this.options.store.get(id);
    if (!download) throw new ApiError('NOT_FOUND', `Download ${id} does not exist.`);
    if (allowed && !allowed.includes(download.status)) throw new ApiError('VALIDATION', `Download ${id} is ${download.status}; that cannot be done now.`);
    return download;
  }

  private setStatus(id: number, changes: DownloadChanges): Download {
    const download = this.options.store.update(id, changes);
    this.options.onChange(download);
    return download;
  }

  private async remoteInfo(url: string): Promise<{ size: number | null; acceptsRanges: boolean }> {
    const response = await this.options.outbound.fetch('download', url, { method: 'HEAD', headers: hubHeaders(this.options.hub(), url), redirect: 'follow' }).catch((error: unknown) => {
      if (error instanceof ApiError) throw error;
      return null;
    });
    const length = Number(response?.headers.get('content-length') ?? NaN);
    return { size: response?.ok && Number.isFinite(length) ? length : null, acceptsRanges: response?.headers.get('accept-ranges') === 'bytes' };
  }

  /** What a resume will not fetch again: the part file and any segment files. */
  private async bytesOnDisk(download: Pick<Download, 'fileName' | 'segments'>): Promise<number> {
    const partPath = partPathOf(this.options.modelsDir, download.fileName);
    const part = await fileSize(partPath);
    return part + (download.segments > 1 ? await segmentBytesOnDisk(partPath, download.segments) : 0);
  }

  /** Refuses a download that would not fit, counting what is already on disk. */
  private async ensureRoom(fileName: string, totalBytes: number | null, segments: number): Promise<void> {
    if (totalBytes === null) return;
    const part = await this.bytesOnDisk({ fileName, segments });
    await mkdir(this.options.modelsDir, { recursive: true });
    const free = await this.options.diskFree(this.options.modelsDir);
    const needed = totalBytes - part + diskReserveBytes;
    if (free !== null && free < needed) {
      throw new ApiError('DISK_FULL', `${fileName} needs ${formatBytes(totalBytes - part)} more, but only ${formatBytes(free)} is free in ${this.options.modelsDir} (keeping ${formatBytes(diskReserveBytes)} spare).`);
    }
  }

  /** Starts queued downloads, oldest first, up to the concurrency limit. */
  private pump(): void {
    const queued = this.options.store.list().filter((download) => download.status === 'queued').reverse();
    const limit = this.options.concurrency ?? 2;
    for (const next of queued) {
      if (this.running.size >= limit) return;
      if (!this.running.has(next.id)) this.run(next.id);
    }
  }

  private run(id: number): void {
    const controller = new AbortController();
    const done = this.transferOne(id, controller.signal).finally(() => {
      this.running.delete(id);
      this.pump();
    });
    this.running.set(id, { controller, done });
  }

  private async transferOne(id: number, signal: AbortSignal): Promise<void> {
    let download = this.setStatus(id, { status: 'downloading', error: null });
    const { modelsDir } = this.options;
    const hub = this.options.hub();
    const partPath = partPathOf(modelsDir, download.fileName);
    let lastReport = 0;
    let lastBytes = download.receivedBytes;
    let lastAt = performance.now();
    let rate: number | null = null;
    try {
      const common = {
        url: download.url,
        partPath,
        headers: hubHeaders(hub, download.url),
        fetch: this.options.outbound.fetcher('download'),
        signal,
        stallMs: this.options.stallMs,
        backoffMs: this.options.backoffMs,
        maxRetries: this.options.maxRetries,
        onRetry: (attempt: number, reason: string) => this.setStatus(id, { retries: attempt, error: `retrying: ${reason}` }),
        onProgress: (received: number, total: number | null) => {
          const now = performance.now();
          if (now - lastReport < progressIntervalMs) return;
          const seconds = (now - lastAt) / 1000;
          if (seconds > 0 && received >= lastBytes) rate = (received - lastBytes) / seconds;
          lastReport = lastAt = now;
          lastBytes = received;
          const updated = this.options.store.update(id, { receivedBytes: received, totalBytes: total });
          const eta = rate && total ? (total - received) / rate : null;
          this.options.onProgress({ ...updated, bytesPerSecond: rate, etaSeconds: eta });
        }
      };
      let result;
      if (download.segments > 1 && download.totalBytes) {
        try {
          result = await transferInSegments({ ...common, totalBytes: download.totalBytes, segments: download.segments });
        } catch (error) {
          if (signal.aborted || !/does not send byte ranges/.test((error as Error).message)) throw error;
          // The server stopped taking ranges: start over as one stream.
          await removeSegments(partPath, download.segments);
          download = this.options.store.update(id, { segments: 1 });
          result = await transfer(common);
        }
      } else {
        result = await transfer(common);
      }
      this.setStatus(id, { status: 'verifying', receivedBytes: result.totalBytes, totalBytes: result.totalBytes, sha256: result.sha256 });
      await this.verifyAndPlace(id, partPath, result.sha256, result.etag);
    } catch (error) {
      if (signal.aborted) return;
      const message = error instanceof Error ? error.message : String(error);
      this.setStatus(id, { status: 'failed', error: message, receivedBytes: await this.bytesOnDisk(download) });
    }
  }

  /** The Hub's SHA-256 (listing or x-linked-etag) must match; a mismatch is quarantined, never renamed into place. */
  private async verifyAndPlace(id: number, partPath: string, sha256: string, etag: string | null): Promise<void> {
    const download = this.require(id);
    const published = download.expectedSha256 ?? (etag && /^[0-9a-f]{64}$/i.test(etag) ? etag.toLowerCase() : null);
    if (published && published !== sha256) {
      return this.quarantine(id, partPath, download.fileName, `SHA-256 mismatch: the Hub publishes ${published}, the file has ${sha256}.`, published);
    }
    try {
      await readGgufHeader(partPath);
    } catch (error) {
      return this.quarantine(id, partPath, download.fileName, (error as Error).message, published);
    }
    await rename(partPath, join(this.options.modelsDir, download.fileName));
    this.setStatus(id, { status: 'completed', error: null, expectedSha256: published });
  }

  /** A file that failed its check goes aside, never into the library, and the download says why and where. */
  private async quarantine(id: number, partPath: string, fileName: string, reason: string, published: string | null): Promise<void> {
    const folder = join(this.options.modelsDir, '.quarantine');
    await mkdir(folder, { recursive: true });
    await rename(partPath, join(folder, fileName));
    this.setStatus(id, { status: 'failed', expectedSha256: published, error: `${reason} It was moved to ${folder}.` });
  }
}
