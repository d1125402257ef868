/**
 * One file of a download into its one part file, over its planned segments in parallel. The part is
 * created at the file's full size without writing it (a sparse file: disk blocks are taken only as
 * bytes arrive), and each segment writes at its own offsets, so the disk never holds more than the file.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { planSegments, resetFile, segmentLength, type PlannedFile, type PlannedSegment } from './plan';
import { RangesRefused, transferSegment, type FileVersion, type SegmentOptions } from './transfer';

export interface FileTransferOptions extends Pick<SegmentOptions, 'fetch' | 'headers' | 'signal' | 'stallMs' | 'maxRetries' | 'backoffMs' | 'onRetry' | 'onNote'> {
  file: PlannedFile;
  partPath: string;
  /** The plan changed (bytes synced, the version learnt, segments reset): save it. */
  save: () => void;
  /** Bytes of this file written but not yet counted as done, for live progress. */
  onProgress: (unsyncedBytes: number) => void;
}

/**
 * The part file, ready for positional writes. A part shorter than what its segments say they hold (or
 * none at all) cannot be trusted: the file is planned again from zero.
 */
async function openPart(partPath: string, file: PlannedFile, save: () => void): Promise<FileHandle> {
  const reach = Math.max(...file.segments.map((segment) => segment.start + segment.done));
  if (file.segments.some((segment) => segment.done > 0)) {
    const handle = await open(partPath, 'r+').catch(() => null);
    if (handle && (await handle.stat()).size >= reach) return handle;
    await handle?.close();
    resetFile(file, file.totalBytes, file.segments.length);
    save();
  }
  return open(partPath, 'w+');
}

/** Resolves when every byte of the file is on disk and synced; throws FileChanged when the server's file is another version. */
export async function transferFile(options: FileTransferOptions): Promise<void> {
  const { file } = options;
  const handle = await openPart(options.partPath, file, options.save);
  const version: FileVersion = { validator: file.validator, totalBytes: file.totalBytes, linkedSha256: null, verifiable: file.expectedSha256 !== null };
  // Stops every segment: when the caller stops (a stop that came already counts), or when one segment cannot go on.
  const controller = new AbortController();
  const signal = AbortSignal.any([options.signal, controller.signal]);
  const unsynced = new Map<PlannedSegment, number>();
  try {
    if (file.totalBytes !== null) await handle.truncate(file.totalBytes);
    const pending = file.segments.filter((segment) => segment.done !== segmentLength(segment));
    // The other segments wait for the first answer, so that every request after it names the version.
    let answered!: () => void;
    const firstAnswer = new Promise<void>((resolve) => (answered = resolve));
    if (version.validator !== null) answered();
    const run = async (segment: PlannedSegment, index: number) => {
      if (index > 0) await firstAnswer;
      signal.throwIfAborted();
      try {
        await transferSegment({
          ...options,
          url: file.url,
          file: handle,
          segment,
          version,
          whole: file.segments.length === 1,
          signal,
          onWritten: (bytes) => {
            answered();
            unsynced.set(segment, bytes - segment.done);
            options.onProgress([...unsynced.values()].reduce((sum, value) => sum + value, 0));
          },
          onSynced: () => {
            unsynced.set(segment, 0);
            options.save();
          },
          onVersion: () => {
            Object.assign(file, { validator: version.validator, totalBytes: version.totalBytes });
            // A stream planned without a size ends at the size the server gave.
            if (segment.end === null && version.totalBytes) segment.end = version.totalBytes - 1;
            if (version.linkedSha256 && !file.expectedSha256) file.expectedSha256 = version.linkedSha256;
            answered();
            options.save();
          }
        });
      } catch (error) {
        // One segment that cannot go on stops the others before they ask again.
        controller.abort(error);
        throw error;
      } finally {
        answered();
      }
    };
    const results = await Promise.allSettled(pending.map(run));
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (options.signal.aborted) throw options.signal.reason;
    if (failure) throw failure.reason;
  } catch (error) {
    if (!(error instanceof RangesRefused) || options.signal.aborted) throw error;
    // One stream over the same part file, from where the first segment got to.
    await handle.close().catch(() => undefined);
    Object.assign(file, { segments: planSegments(file.totalBytes, 1, file.segments[0].done) });
    options.save();
    return transferFile(options);
  } finally {
    await handle.close().catch(() => undefined);
  }
}
