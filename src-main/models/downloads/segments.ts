/**
 * A large file over several parallel range requests: each segment is its own resumable transfer into
 * `<part>.<n>`, and when all are whole they are joined into the part file, hashing as they go.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { transfer, type TransferOptions, type TransferResult } from './transfer';
import { fileSize } from '../fileSize';

export const segmentPath = (partPath: string, index: number) => `${partPath}.${index}`;

/** How many segments a file gets: only when the server takes ranges and each segment is worth a request. */
export function segmentCount(totalBytes: number | null, acceptsRanges: boolean, wanted: number, minimumSegmentBytes: number): number {
  if (!totalBytes || !acceptsRanges || wanted <= 1) return 1;
  return Math.max(1, Math.min(wanted, Math.floor(totalBytes / minimumSegmentBytes)));
}

export function segmentRanges(totalBytes: number, segments: number): { start: number; end: number }[] {
  const size = Math.ceil(totalBytes / segments);
  return Array.from({ length: segments }, (_, index) => ({ start: index * size, end: Math.min(totalBytes, (index + 1) * size) - 1 }));
}

/** Bytes already on disk across the segment files (what a resume will not fetch again). */
export async function segmentBytesOnDisk(partPath: string, segments: number): Promise<number> {
  const sizes = await Promise.all(Array.from({ length: segments }, (_, index) => fileSize(segmentPath(partPath, index))));
  return sizes.reduce((sum, size) => sum + size, 0);
}

export async function removeSegments(partPath: string, segments: number): Promise<void> {
  await Promise.all(Array.from({ length: segments }, (_, index) => rm(segmentPath(partPath, index), { force: true })));
}

export async function transferInSegments(options: TransferOptions & { totalBytes: number; segments: number }): Promise<TransferResult> {
  const ranges = segmentRanges(options.totalBytes, options.segments);
  const received = new Array<number>(ranges.length).fill(0);
  const results = await Promise.all(
    ranges.map((range, index) =>
      transfer({
        ...options,
        range,
        partPath: segmentPath(options.partPath, index),
        onProgress: (bytes) => {
          received[index] = bytes;
          options.onProgress?.(received.reduce((sum, value) => sum + value, 0), options.totalBytes);
        }
      })
    )
  );
  const hash = createHash('sha256');
  await rm(options.partPath, { force: true });
  const output = createWriteStream(options.partPath, { flags: 'wx' });
  for (const [index] of ranges.entries()) {
    const hashing = new Transform({ transform: (chunk, _encoding, done) => (hash.update(chunk), done(null, chunk)) });
    await pipeline(createReadStream(segmentPath(options.partPath, index)), hashing, output, { end: index === ranges.length - 1 });
  }
  await removeSegments(options.partPath, ranges.length);
  return { totalBytes: options.totalBytes, sha256: hash.digest('hex'), etag: results[0].etag, restartedFromZero: false };
}
