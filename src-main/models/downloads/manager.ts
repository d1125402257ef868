import type { GgufFileInfo } from 'node-llama-cpp';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError, errorMessageOf, type Download } from '../../api';
import type { Outbound } from '../../network';
import { readRemoteHeader } from './header';
import { bytesDone, parsePlan, resetFile, totalBytes, type DownloadPlan } from './plan';
import { ensureRoom, legacyPlan, partPathOf, planDownload } from './planner';
import type { DownloadChanges, DownloadRecords } from './records';
import { runDownload, type RunnerOptions } from './runner';
import { hubHeaders, renameSource, resolveSource, type HubOptions } from './sources';
import { TransferError } from './transfer';
import { exists } from './verify';

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
  /** A file is split only into segments at least this large (64 MiB by default). */
  minimumSegmentBytes?: number;
  stallMs?: number;
  backoffMs?: (attempt: number) => number;
  maxRetries?: number;
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

const ignore = () => undefined;

const tooLate = (action: string, download: Download) => new ApiError('VALIDATION', `The ${action} came too late: ${download.fileName} is already verified and in the models folder.`);

/**
 * Runs the queue: a few downloads at once, each identified by its source, resumable segment by segment
 * from its part files, verified, and placed in the models folder only when whole. Pause keeps the parts;
 * cancel deletes them; a restart resumes whatever was unfinished. Pause, resume and cancel of one
 * download happen one after the other, each seeing where the previous one left it.
 */
export class DownloadManager {
  private readonly running = new Map<number, Running>();
  private readonly turns = new Map<string, Promise<void>>();
  private readonly runner: RunnerOptions;

  constructor(private readonly options: DownloadManagerOptions) {
    this.runner = { ...options, setStatus: (id, changes) => this.setStatus(id, changes) };
  }

  list(): Download[] {
    return this.options.store.list();
  }

  /**
   * The remote model's GGUF header (every part's, for a split model, spliced as node-llama-cpp does for
   * files), read with range requests sized to it; its size from the listing or the first answer.
   */
  async inspect(source: string): Promise<{ fileName: string; sizeBytes: number | null; info: GgufFileInfo }> {
    const { files } = await resolveSource(source, this.options.hub(), this.options.outbound);
    const fetcher = this.options.outbound.fetcher('inspect');
    const headers: Awaited<ReturnType<typeof readRemoteHeader>>[] = [];
    try {
      for (const file of files) headers.push(await readRemoteHeader(fetcher, file.url, hubHeaders(this.options.hub(), file.url)));
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw new ApiError('DOWNLOAD_FAILED', `Could not read the GGUF header of ${files[0].fileName}: ${(error as Error).message.split('\n')[0]}`);
    }
    const sizes = files.map((file, index) => file.sizeBytes ?? headers[index].sizeBytes);
    const first = headers[0].info;
    const info: GgufFileInfo = headers.length === 1 ? first : { ...first, fullTensorInfo: headers.flatMap((header) => header.info.tensorInfo ?? []), splicedParts: headers.length };
    return { fileName: files[0].fileName, sizeBytes: sizes.every((size) => size !== null) ? sizes.reduce((a, b) => a + b, 0) : null, info };
  }

  /** Resumes what a crash or a quit left unfinished. */
  resumeInterrupted(): void {
    if (this.options.store.requeueInterrupted().length > 0) this.pump();
  }

  /**
   * Queues the download of `source` (every part of a split model), after checking its files and the
   * free disk space. A source already downloading or paused is that download, resumed. Another source
   * that would write the same file name is refused, unless `fileName` gives this one another name.
   */
  start(source: string, options: { fileName?: string } = {}): Promise<Download> {
    return this.inTurn('start', async () => {
      const resolved = renameSource(await resolveSource(source, this.options.hub(), this.options.outbound), options.fileName);
      const [first] = resolved.files;
      const existing = this.options.store.findActive(first.url);
      if (existing) return this.running.has(existing.id) ? existing : this.resume(existing.id);
      for (const file of resolved.files) {
        if (await exists(join(this.options.modelsDir, file.fileName))) throw new ApiError('VALIDATION', `${file.fileName} is already in the models folder.`);
      }
      const clash = this.options.store.findActiveNamed(first.fileName);
      if (clash) {
        throw new ApiError('VALIDATION', `${first.fileName} is already being downloaded from ${clash.source}, and two sources cannot write one file. Cancel that download first, or save this one under another name.`);
      }
      await mkdir(this.options.modelsDir, { recursive: true });
      const plan = await planDownload(this.options, resolved);
      await ensureRoom(this.options, first.fileName, plan);
      const download = this.options.store.create({
        source,
        url: first.url,
        fileName: first.fileName,
        totalBytes: totalBytes(plan),
        expectedSha256: first.expectedSha256,
        segments: Math.max(...plan.files.map((file) => file.segments.length)),
        parts: plan.files.length,
        plan: JSON.stringify(plan)
      });
      this.options.onChange(download);
      this.pump();
      return download;
    });
  }

  /** Stops the transfer and keeps its parts; resolves once nothing more is being written. */
  pause(id: number): Promise<Download> {
    return this.inTurn(id, async () => {
      if (this.require(id).status === 'completed') throw tooLate('pause', this.require(id));
      this.require(id, ['queued', 'downloading', 'verifying']);
      await this.stop(id, 'paused');
      const download = this.require(id);
      if (download.status === 'completed') throw tooLate('pause', download);
      if (download.status === 'failed') return download;
      return this.setStatus(id, { status: 'paused', error: null, receivedBytes: bytesDone(await this.planOf(download)) });
    });
  }

  resume(id: number): Promise<Download> {
    return this.inTurn(id, async () => {
      const download = this.require(id, ['paused', 'failed', 'cancelled', 'queued', 'downloading', 'verifying']);
      if (this.running.has(id)) return download;
      await ensureRoom(this.options, download.fileName, await this.planOf(download));
      const queued = this.setStatus(id, { status: 'queued', error: null });
      this.pump();
      return queued;
    });
  }

  retry(id: number): Promise<Download> {
    return this.resume(id);
  }

  /** Stops the download and deletes the part files of all its files. */
  cancel(id: number): Promise<Download> {
    return this.inTurn(id, async () => {
      if (this.require(id).status === 'completed') throw tooLate('cancel', this.require(id));
      this.require(id, ['queued', 'downloading', 'paused', 'verifying', 'failed']);
      await this.stop(id, 'cancelled');
      const download = this.require(id);
      if (download.status === 'completed') throw tooLate('cancel', download);
      const plan = await this.planOf(download);
      for (const file of plan.files) {
        await rm(partPathOf(this.options.modelsDir, file.fileName), { force: true });
        resetFile(file, file.totalBytes, file.segments.length);
      }
      return this.setStatus(id, { status: 'cancelled', error: null, receivedBytes: 0, plan: JSON.stringify(plan) });
    });
  }

  /** Stops every transfer, keeping the parts, so the next start resumes them. */
  async stopAll(): Promise<void> {
    const running = [...this.running.keys()];
    await Promise.all(running.map((id) => this.stop(id, 'the app is closing')));
    // Live progress may be ahead of what is synced: the record ends with what the parts really hold.
    for (const id of running) this.options.store.update(id, { receivedBytes: bytesDone(await this.planOf(this.require(id))) });
  }

  /** Runs `action` after every earlier one for the same key (a download's id, or starting), so each sees the state the last left. */
  private inTurn<T>(key: number | string, action: () => Promise<T>): Promise<T> {
    const name = String(key);
    const turn = (this.turns.get(name) ?? Promise.resolve()).then(action);
    // The queue holds only turns still to settle; a failed turn does not stop the next.
    const settled: Promise<void> = turn.then(ignore, ignore).then(() => {
      if (this.turns.get(name) === settled) this.turns.delete(name);
    });
    this.turns.set(name, settled);
    return turn;
  }

  private async stop(id: number, reason: string): Promise<void> {
    const running = this.running.get(id);
    running?.controller.abort(new TransferError(reason, false));
    await running?.done;
  }

  /** The download's plan: as last saved, or planned from its record when it has none (a download from before plans). */
  private async planOf(download: Download): Promise<DownloadPlan> {
    return parsePlan(this.options.store.plan(download.id)) ?? legacyPlan(this.options.modelsDir, download);
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
    const done = this.planOf(this.require(id))
      .then((plan) => runDownload(this.runner, id, plan, controller.signal))
      .catch((error: unknown) => void this.setStatus(id, { status: 'failed', error: errorMessageOf(error) }))
      .finally(() => {
        this.running.delete(id);
        this.pump();
      });
    this.running.set(id, { controller, done });
  }
}
