/**
 * What a download will write and how far it got, saved with its record so that a crash, a pause or a
 * restart resumes each segment of each file where it stopped. Pure: no I/O.
 */
import { z } from 'zod';

const segmentSchema = z.object({
  start: z.number().int().min(0),
  /** Last byte, inclusive; null while the size is unknown (one stream to the end). */
  end: z.number().int().min(0).nullable(),
  /** Bytes from `start` that are written and synced to disk. */
  done: z.number().int().min(0)
});

const fileSchema = z.object({
  url: z.string(),
  fileName: z.string(),
  totalBytes: z.number().int().min(0).nullable(),
  /** What the file must hash to: the Hub's listing, or its x-linked-etag. */
  expectedSha256: z.string().nullable(),
  /** The version the bytes on disk belong to: a strong ETag, else Last-Modified, from the first answer. */
  validator: z.string().nullable(),
  /** Set once the part file is verified; until then null. */
  sha256: z.string().nullable(),
  segments: z.array(segmentSchema).min(1)
});

const planSchema = z.object({ files: z.array(fileSchema).min(1) });

export type PlannedSegment = z.infer<typeof segmentSchema>;
export type PlannedFile = z.infer<typeof fileSchema>;
export type DownloadPlan = z.infer<typeof planSchema>;

/** The plan a record holds; null for none or one that does not parse (the download is planned again). */
export function parsePlan(json: string | null): DownloadPlan | null {
  if (json === null) return null;
  try {
    const parsed = planSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** How many segments a file gets: only when the server takes ranges and each segment is worth a request. */
export function segmentCount(totalBytes: number | null, acceptsRanges: boolean, wanted: number, minimumSegmentBytes: number): number {
  if (!totalBytes || !acceptsRanges || wanted <= 1) return 1;
  return Math.max(1, Math.min(wanted, Math.floor(totalBytes / minimumSegmentBytes)));
}

/**
 * Segments covering a file of `totalBytes` (one open-ended stream when the size is unknown), with the
 * first `onDisk` bytes counted as done: a part left by a single stream fills the segments it covers.
 */
export function planSegments(totalBytes: number | null, count: number, onDisk = 0): PlannedSegment[] {
  // An empty file is no GGUF: it is fetched as one stream and refused by the header check.
  if (!totalBytes) return [{ start: 0, end: null, done: onDisk }];
  const size = Math.ceil(totalBytes / Math.max(1, count));
  const segments: PlannedSegment[] = [];
  for (let start = 0; start < totalBytes; start += size) {
    const end = Math.min(totalBytes, start + size) - 1;
    segments.push({ start, end, done: Math.max(0, Math.min(end - start + 1, onDisk - start)) });
  }
  return segments;
}

/** Bytes of a segment; null while its end is unknown. */
export function segmentLength(segment: PlannedSegment): number | null {
  return segment.end === null ? null : segment.end - segment.start + 1;
}

/** The file starts again from nothing: no bytes, no version, nothing verified. */
export function resetFile(file: PlannedFile, totalBytes: number | null, count: number): void {
  Object.assign(file, { totalBytes, validator: null, sha256: null, segments: planSegments(totalBytes, count) });
}

/** Bytes synced to disk across the plan (what a resume will not fetch again). */
export function bytesDone(plan: DownloadPlan): number {
  return plan.files.reduce((sum, file) => sum + file.segments.reduce((inner, segment) => inner + segment.done, 0), 0);
}

/** The plan's total size; null while any file's size is unknown. */
export function totalBytes(plan: DownloadPlan): number | null {
  let total = 0;
  for (const file of plan.files) {
    if (file.totalBytes === null) return null;
    total += file.totalBytes;
  }
  return total;
}

/** Whether every byte of the file is on disk. */
export function fileComplete(file: PlannedFile): boolean {
  return file.totalBytes !== null && file.segments.every((segment) => segment.done === segmentLength(segment));
}
