/** Planning a download before it is queued: the size of each file, its segments, what may be kept of a part on disk, and room on the disk. */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError, type Download } from '../../api';
import { formatBytes } from '../../catalog';
import type { Outbound } from '../../network';
import { fileSize } from '../fileSize';
import { bytesDone, planSegments, segmentCount, totalBytes, type DownloadPlan, type PlannedFile } from './plan';
import { probeFile } from './remote';
import { hubHeaders, type HubOptions, type ResolvedFile, type ResolvedSource } from './sources';

/** Room left on the disk after a download, so the system does not run dry. */
export const diskReserveBytes = 256 * 1024 * 1024;

export const partPathOf = (modelsDir: string, fileName: string) => join(modelsDir, `${fileName}.part`);

export interface PlannerOptions {
  modelsDir: string;
  outbound: Outbound;
  hub: () => HubOptions;
  /** Free bytes on the disk holding `path`; null when unknown. */
  diskFree: (path: string) => Promise<number | null>;
  /** Parallel range requests per large file (1 turns segments off). */
  segments?: number;
  /** A file is split only into segments at least this large. */
  minimumSegmentBytes?: number;
}

/** The segments a file of this size gets, given whether the server takes ranges and its versions can be told apart. */
export function segmentsFor(options: PlannerOptions, size: number | null, rangesWork: boolean): number {
  return segmentCount(size, rangesWork, options.segments ?? 4, options.minimumSegmentBytes ?? 64 * 1024 * 1024);
}

/**
 * A part already on disk with no record of its version (left by an older Hearth, or put there by hand)
 * is kept only when a published SHA-256 will check the whole file: otherwise it could be another version.
 */
async function keptBytes(modelsDir: string, file: Pick<ResolvedFile, 'fileName' | 'expectedSha256'>, size: number | null): Promise<number> {
  if (!file.expectedSha256) return 0;
  const onDisk = await fileSize(partPathOf(modelsDir, file.fileName));
  return size !== null && onDisk > size ? 0 : onDisk;
}

/**
 * Plans a new download: each file's size comes from the Hub's listing or, for a plain URL, from a
 * one-byte ranged GET (which also says whether ranges work and which version the file is).
 */
export async function planDownload(options: PlannerOptions, resolved: ResolvedSource): Promise<DownloadPlan> {
  const files: PlannedFile[] = [];
  for (const file of resolved.files) {
    const probe = file.sizeBytes !== null ? null : await probeFile(options.outbound.fetcher('download'), file.url, hubHeaders(options.hub(), file.url));
    const size = file.sizeBytes ?? probe?.size ?? null;
    // Parallel segments need to tell versions apart: the Hub's SHA-256, or the version the probe saw.
    const rangesWork = probe ? probe.acceptsRanges && (probe.validator !== null || file.expectedSha256 !== null) : true;
    const segments = planSegments(size, segmentsFor(options, size, rangesWork), await keptBytes(options.modelsDir, file, size));
    files.push({ url: file.url, fileName: file.fileName, totalBytes: size, expectedSha256: file.expectedSha256, validator: probe?.validator ?? null, sha256: null, segments });
  }
  return { files };
}

/**
 * The plan of a download recorded before plans existed: one file, keeping its part under the same rule
 * as a new download; the segment files those versions wrote beside it (`<part>.<n>`) are removed.
 */
export async function legacyPlan(modelsDir: string, download: Download): Promise<DownloadPlan> {
  const partPath = partPathOf(modelsDir, download.fileName);
  await Promise.all(Array.from({ length: download.segments }, (_, index) => rm(`${partPath}.${index}`, { force: true })));
  const kept = await keptBytes(modelsDir, download, download.totalBytes);
  const file = { url: download.url, fileName: download.fileName, totalBytes: download.totalBytes, expectedSha256: download.expectedSha256, validator: null, sha256: null };
  return { files: [{ ...file, segments: planSegments(download.totalBytes, 1, kept) }] };
}

/**
 * Refuses a download that would not fit, counting what is already on disk. The promise it makes holds
 * because segments write into the one part file: a download never takes more than its files' size.
 */
export async function ensureRoom(options: PlannerOptions, fileName: string, plan: DownloadPlan): Promise<void> {
  const total = totalBytes(plan);
  if (total === null) return;
  const more = total - bytesDone(plan);
  const free = await options.diskFree(options.modelsDir);
  if (free !== null && free < more + diskReserveBytes) {
    throw new ApiError(
      'DISK_FULL',
      `${fileName} needs ${formatBytes(more)} more, but only ${formatBytes(free)} is free in ${options.modelsDir} (keeping ${formatBytes(diskReserveBytes)} spare). ` +
        `The download takes no more room than the file itself (${formatBytes(total)}): its parts are written in place, never copied.`
    );
  }
}
