/**
 * One segment of a file into the file's one part file: a range request from the first byte the segment
 * lacks, carrying If-Range with the version its bytes belong to; each byte written at its own offset;
 * synced at least every MiB, and only then counted as done; a stall watchdog; retries with backoff. An
 * answer from another version of the file ends it with FileChanged, so versions are never spliced.
 */
import type { FileHandle } from 'node:fs/promises';
import { ApiError } from '../../api';
import { segmentLength, type PlannedSegment } from './plan';
import { contentRange, linkedSha256, sizeOf, validatorOf } from './remote';

const flushEveryBytes = 1024 * 1024;

export class TransferError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean
  ) {
    super(message);
    this.name = 'TransferError';
  }
}

/** The file on the server is not (or cannot be shown to be) the one the bytes on disk came from: it starts again from zero. */
export class FileChanged extends Error {
  override name = 'FileChanged';
}

/** The server answers a range with the whole file: parallel segments cannot work, one stream can. */
export class RangesRefused extends Error {
  override name = 'RangesRefused';
}

/** What the segments of one file share: the version of the file their bytes belong to. */
export interface FileVersion {
  /** Strong ETag or Last-Modified; set by the first answer when not known. */
  validator: string | null;
  totalBytes: number | null;
  /** The SHA-256 the Hub names in x-linked-etag, when an answer carried it. */
  linkedSha256: string | null;
  /** A published SHA-256 will check the whole file, so a resume without a validator cannot splice unseen. */
  verifiable: boolean;
}

export interface SegmentOptions {
  url: string;
  /** The network door, bound to the download's purpose. */
  fetch: typeof fetch;
  headers: Record<string, string>;
  file: FileHandle;
  /** Its `done` moves on as bytes are synced. */
  segment: PlannedSegment;
  version: FileVersion;
  /** The file's only segment: an answer with the whole file serves it. */
  whole: boolean;
  signal: AbortSignal;
  /** No byte for this long and the request is dropped and retried. */
  stallMs?: number;
  maxRetries?: number;
  backoffMs?: (attempt: number) => number;
  /** Bytes of this segment written so far (synced or not). */
  onWritten: (bytes: number) => void;
  /** `segment.done` moved on: the plan is worth saving. */
  onSynced: () => void;
  /** The first answer told the file's version or size. */
  onVersion: () => void;
  onRetry?: (reason: string) => void;
  /** Puts what an answer meant on its row of the network log. */
  onNote?: (response: Response, note: string) => void;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}

/** Whether `response` is from the version the segment's bytes belong to; throws FileChanged when it is not. */
function checkVersion(options: SegmentOptions, response: Response): void {
  const { version } = options;
  const validator = validatorOf(response.headers);
  const size = sizeOf(response);
  let change: string | null = null;
  if (version.validator !== null && validator !== null && validator !== version.validator) change = 'a new ETag or Last-Modified';
  else if (version.totalBytes !== null && size !== null && size !== version.totalBytes) change = `its size went from ${version.totalBytes} to ${size} bytes`;
  // A whole-file answer to If-Range with no version to compare is itself the server saying the version differs.
  else if (response.status === 200 && version.validator !== null && validator === null) change = 'it no longer names its version';
  if (change) {
    const reason = `the file changed on the server (${change})`;
    options.onNote?.(response, `${reason}: starting again from zero`);
    throw new FileChanged(reason);
  }
  const learnt = { validator: version.validator ?? validator, totalBytes: version.totalBytes ?? size, linkedSha256: version.linkedSha256 ?? linkedSha256(response.headers) };
  if (learnt.validator !== version.validator || learnt.totalBytes !== version.totalBytes || learnt.linkedSha256 !== version.linkedSha256) {
    Object.assign(version, learnt);
    options.onVersion();
  }
}

/** One request: writes what comes at the segment's offsets; resolves when the segment (or the stream) is whole. */
async function attemptOnce(options: SegmentOptions, state: { written: number }): Promise<void> {
  const { segment, version, file } = options;
  const length = segmentLength(segment);
  if (length !== null && state.written >= length) return;
  if (state.written > 0 && version.validator === null && !version.verifiable) {
    throw new FileChanged('the server names no version of the file (no ETag or Last-Modified), so a resume could not tell whether it changed');
  }
  const controller = new AbortController();
  const abortFromCaller = () => controller.abort(options.signal.reason);
  // A stop that came before this attempt started fires no event: honour it now.
  options.signal.throwIfAborted();
  options.signal.addEventListener('abort', abortFromCaller, { once: true });
  let watchdog: NodeJS.Timeout | null = null;
  const stallMs = options.stallMs ?? 30_000;
  const armWatchdog = () => {
    if (watchdog) clearTimeout(watchdog);
    watchdog = setTimeout(() => controller.abort(new TransferError(`no data for ${stallMs / 1000} s`, true)), stallMs);
  };
  let unsynced = 0;
  const sync = async () => {
    const upTo = state.written;
    await file.datasync();
    unsynced = 0;
    if (upTo !== segment.done) {
      segment.done = upTo;
      options.onSynced();
    }
  };
  try {
    armWatchdog();
    const from = segment.start + state.written;
    const range = length !== null ? `bytes=${from}-${segment.end}` : from > 0 ? `bytes=${from}-` : null;
    const response = await options.fetch(options.url, {
      headers: { ...options.headers, ...(range ? { Range: range } : {}), ...(range && version.validator ? { 'If-Range': version.validator } : {}) },
      signal: controller.signal
    });
    if (response.status === 416 && length === null && from > 0) {
      // Stopped just after the last byte: the stream is already whole.
      const whole = Number(/bytes \*\/(\d+)/.exec(response.headers.get('content-range') ?? '')?.[1] ?? NaN);
      if (whole === from) {
        version.totalBytes ??= whole;
        options.onVersion();
        return;
      }
      throw new FileChanged('the file on the server is shorter than the part on disk');
    }
    if (response.status >= 500 || response.status === 429) throw new TransferError(`the server answered HTTP ${response.status}`, true);
    if (response.status === 401 || response.status === 403) throw new TransferError(`access denied (HTTP ${response.status}); a gated model needs a Hugging Face token`, false);
    if ((response.status !== 200 && response.status !== 206) || !response.body) throw new TransferError(`the server answered HTTP ${response.status}`, false);
    if (response.status === 206 && contentRange(response.headers.get('content-range'))?.start !== from) throw new TransferError('the server sent a different range than asked for', true);
    checkVersion(options, response);
    if (response.status === 200 && range !== null) {
      if (!options.whole) throw new RangesRefused('the server does not send byte ranges, so the file cannot come in parallel segments');
      if (state.written > 0) {
        // The same version, whole again: the server does not resume. Nothing on disk counts any more.
        options.onNote?.(response, 'the server does not resume downloads: starting again from zero');
        state.written = 0;
        segment.done = 0;
        options.onSynced();
      }
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    const before = state.written;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      armWatchdog();
      if (length !== null && state.written + chunk.length > length) throw new TransferError('the server sent more than the range asked for', false);
      await file.write(chunk, 0, chunk.length, segment.start + state.written);
      state.written += chunk.length;
      unsynced += chunk.length;
      options.onWritten(state.written);
      if (unsynced >= flushEveryBytes) await sync();
    }
    await sync();
    const arrived = state.written - before;
    if (Number.isFinite(declared) && arrived !== declared) throw new TransferError(`the server declared ${declared} bytes but sent ${arrived}`, true);
    const expected = length ?? version.totalBytes;
    if (expected !== null && state.written < expected) throw new TransferError(`the file should have ${expected} bytes but ${state.written} arrived`, true);
    if (expected !== null && state.written > expected) throw new TransferError(`${state.written} bytes arrived for a file of ${expected}`, false);
    // A stream of unknown length ends where it ends.
    if (version.totalBytes === null) {
      version.totalBytes = state.written;
      options.onVersion();
    }
  } catch (error) {
    if (controller.signal.aborted && controller.signal.reason instanceof TransferError && !options.signal.aborted) throw controller.signal.reason;
    if (options.signal.aborted) throw options.signal.reason;
    if (error instanceof TransferError || error instanceof FileChanged || error instanceof RangesRefused || error instanceof ApiError) throw error;
    throw new TransferError(error instanceof Error ? ((error.cause as Error)?.message ?? error.message) : String(error), true);
  } finally {
    if (watchdog) clearTimeout(watchdog);
    options.signal.removeEventListener('abort', abortFromCaller);
    // An answer given up on (another version, no ranges) must not go on streaming into nowhere.
    controller.abort(new TransferError('request finished', false));
    // What was written before a stop or a failure is kept: a pause resumes after it.
    if (unsynced > 0) await sync().catch(() => undefined);
  }
}

/** Brings the segment to whole, retrying with backoff; throws what cannot be retried. */
export async function transferSegment(options: SegmentOptions): Promise<void> {
  const maxRetries = options.maxRetries ?? 8;
  const backoff = options.backoffMs ?? ((attempt) => Math.min(30_000, 500 * 2 ** attempt));
  const state = { written: options.segment.done };
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptOnce(options, state);
    } catch (error) {
      if (!(error instanceof TransferError) || !error.retryable || attempt >= maxRetries) throw error;
      options.onRetry?.(error.message);
      await sleep(backoff(attempt), options.signal);
    }
  }
}
