/**
 * One download from queued to its end: each file of its plan fetched (a file that changed on the server
 * starts again from zero), verified in one read pass, and only when every file is verified, all renamed
 * into the models folder. A stop (pause, cancel, quit) wins until that rename and never after it.
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessageOf, type Download } from '../../api';
import { formatBytes } from '../../catalog';
import type { Outbound } from '../../network';
import { bytesDone, fileComplete, resetFile, totalBytes, type DownloadPlan, type PlannedFile } from './plan';
import { partPathOf, segmentsFor, type PlannerOptions } from './planner';
import { probeFile } from './remote';
import { transferFile } from './segments';
import { hubHeaders, resolveSource } from './sources';
import { FileChanged, type SegmentOptions } from './transfer';
import { checkPart, exists, quarantine } from './verify';
import type { DownloadChanges, DownloadRecords } from './records';

export interface RunnerOptions extends PlannerOptions, Pick<SegmentOptions, 'stallMs' | 'backoffMs' | 'maxRetries'> {
  store: DownloadRecords;
  outbound: Outbound;
  onProgress: (download: Download) => void;
  setStatus: (id: number, changes: DownloadChanges) => Download;
}

const progressIntervalMs = 250;
/** A file that changes on the server this many times in one run is given up on. */
const maxRestarts = 3;

/** Live figures, at most every 250 ms, and always the last one (a stall leaves the list showing what arrived). */
function progressReporter(options: RunnerOptions, id: number, plan: DownloadPlan): { report: (unsynced: number) => void; stop: () => void } {
  let last = 0;
  let lastBytes = bytesDone(plan);
  let rate: number | null = null;
  let pending: NodeJS.Timeout | null = null;
  let unsynced = 0;
  const emit = () => {
    pending = null;
    const now = performance.now();
    const received = bytesDone(plan) + unsynced;
    const seconds = (now - last) / 1000;
    if (last > 0 && seconds > 0 && received >= lastBytes) rate = (received - lastBytes) / seconds;
    last = now;
    lastBytes = received;
    const total = totalBytes(plan);
    const updated = options.store.update(id, { receivedBytes: received, totalBytes: total });
    options.onProgress({ ...updated, bytesPerSecond: rate, etaSeconds: rate && total ? (total - received) / rate : null });
  };
  return {
    report(bytes) {
      unsynced = bytes;
      if (pending) return;
      pending = setTimeout(emit, Math.max(0, progressIntervalMs - (performance.now() - last)));
    },
    stop: () => void (pending && clearTimeout(pending))
  };
}

/** After a change: the file's new size and published SHA-256, from the Hub's listing or a one-byte GET. */
async function refreshFile(options: RunnerOptions, download: Download, index: number, file: PlannedFile): Promise<void> {
  const hubSource = /^(hf|catalog):/.test(download.source);
  const fresh = hubSource ? (await resolveSource(download.source, options.hub(), options.outbound)).files[index] : null;
  const size = hubSource ? (fresh?.sizeBytes ?? null) : (await probeFile(options.outbound.fetcher('download'), file.url, hubHeaders(options.hub(), file.url))).size;
  file.expectedSha256 = fresh?.expectedSha256 ?? null;
  resetFile(file, size, segmentsFor(options, size, file.segments.length > 1));
}

/** Runs download `id` with its plan until it is placed, fails or `signal` stops it. */
export async function runDownload(options: RunnerOptions, id: number, plan: DownloadPlan, signal: AbortSignal): Promise<void> {
  const download = options.setStatus(id, { status: 'downloading', error: null, receivedBytes: bytesDone(plan) });
  const save = () => options.store.update(id, { plan: JSON.stringify(plan), totalBytes: totalBytes(plan), segments: Math.max(...plan.files.map((file) => file.segments.length)) });
  const progress = progressReporter(options, id, plan);
  let retries = download.retries;
  try {
    for (const [index, file] of plan.files.entries()) {
      if (file.sha256 !== null) continue;
      const partPath = partPathOf(options.modelsDir, file.fileName);
      for (let restarts = 0; ; restarts++) {
        try {
          await transferFile({
            ...options,
            file,
            partPath,
            headers: hubHeaders(options.hub(), file.url),
            fetch: options.outbound.fetcher('download'),
            signal,
            save,
            onProgress: (unsynced) => progress.report(unsynced),
            onRetry: (reason) => options.setStatus(id, { retries: ++retries, error: `retrying: ${reason}` }),
            onNote: (response, note) => options.outbound.note(response, note)
          });
          progress.report(0);
          break;
        } catch (error) {
          if (!(error instanceof FileChanged) || signal.aborted) throw error;
          const kept = file.segments.reduce((sum, segment) => sum + segment.done, 0);
          if (restarts >= maxRestarts) throw new Error(`${file.fileName} keeps changing on the server (${error.message}); try again later.`, { cause: error });
          await refreshFile(options, download, index, file);
          save();
          options.setStatus(id, { note: `${file.fileName}: ${error.message}; it started again from zero after ${formatBytes(kept)} had arrived.` });
        }
      }
      if (!fileComplete(file)) throw new Error(`${file.fileName} ended before all of it arrived.`);
      options.setStatus(id, { status: 'verifying', receivedBytes: bytesDone(plan), totalBytes: totalBytes(plan) });
      const { sha256, problem } = await checkPart(partPath, file.expectedSha256, signal);
      if (problem) {
        const folder = await quarantine(options.modelsDir, partPath, file.fileName);
        resetFile(file, file.totalBytes, file.segments.length);
        save();
        options.setStatus(id, { status: 'failed', receivedBytes: bytesDone(plan), error: `${problem} It was moved to ${folder}.`, ...(index === 0 ? { sha256, expectedSha256: file.expectedSha256 } : {}) });
        return;
      }
      file.sha256 = sha256;
      save();
      if (index < plan.files.length - 1) options.setStatus(id, { status: 'downloading' });
    }
    // The last moment a pause or cancel can win: after it the files are in the library.
    signal.throwIfAborted();
    await place(options.modelsDir, plan);
    const [first] = plan.files;
    options.setStatus(id, { status: 'completed', error: null, sha256: first.sha256, expectedSha256: first.expectedSha256, receivedBytes: totalBytes(plan) ?? bytesDone(plan), totalBytes: totalBytes(plan) });
  } catch (error) {
    if (signal.aborted) return;
    options.setStatus(id, { status: 'failed', error: errorMessageOf(error), receivedBytes: bytesDone(plan) });
  } finally {
    progress.stop();
  }
}

/** Renames every verified part into place; a name taken meanwhile is refused rather than overwritten. */
async function place(modelsDir: string, plan: DownloadPlan): Promise<void> {
  const moves = [];
  for (const file of plan.files) {
    const [from, to] = [partPathOf(modelsDir, file.fileName), join(modelsDir, file.fileName)];
    // Placed before a crash cut the renames short.
    if (!(await exists(from)) && (await exists(to))) continue;
    if (await exists(to)) throw new Error(`${file.fileName} appeared in the models folder while it downloaded; its verified download is kept as ${from}.`);
    moves.push([from, to] as const);
  }
  for (const [from, to] of moves) await rename(from, to);
}
