/**
 * One file's transfer into its .part file: HTTP Range from the last byte on disk, data flushed to
 * disk at least every MiB (so a crash re-fetches less than that), a stall watchdog, retries with
 * backoff, and SHA-256 computed along the way.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { fileSize } from '../fileSize';

export const flushEveryBytes = 1024 * 1024;

export interface TransferOptions {
  url: string;
  /** The network door every request goes through (see src-main/network). */
  fetch: typeof fetch;
  partPath: string;
  headers?: Record<string, string>;
  /** Fetch only these bytes of the file (inclusive), for one of several parallel segments. */
  range?: { start: number; end: number };
  signal: AbortSignal;
  /** No byte for this long and the request is dropped and retried. */
  stallMs?: number;
  maxRetries?: number;
  backoffMs?: (attempt: number) => number;
  onProgress?: (received: number, total: number | null) => void;
  /** Told before each retry: the attempt number and why. */
  onRetry?: (attempt: number, reason: string) => void;
}

export interface TransferResult {
  totalBytes: number;
  sha256: string;
  /** The ETag the server gave the file, which the Hub sets to the SHA-256 of LFS files. */
  etag: string | null;
  /** The server ignored Range and sent the whole file again. */
  restartedFromZero: boolean;
}

export class TransferError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean
  ) {
    super(message);
    this.name = 'TransferError';
  }
}

async function hashExisting(path: string, bytes: number): Promise<Hash> {
  const hash = createHash('sha256');
  if (bytes === 0) return hash;
  for await (const chunk of createReadStream(path, { start: 0, end: bytes - 1 })) hash.update(chunk as Buffer);
  return hash;
}


function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}

/** Parses "bytes 100-199/1000" into its start and total. */
function contentRange(header: string | null): { start: number; total: number | null } | null {
  const match = header ? /bytes (\d+)-\d+\/(\d+|\*)/.exec(header) : null;
  return match ? { start: Number(match[1]), total: match[2] === '*' ? null : Number(match[2]) } : null;
}

/** One HTTP request, appending to the part file from `offset`; returns when the body ends. */
async function attemptOnce(options: TransferOptions, offset: number, hash: { current: Hash }): Promise<{ total: number; etag: string | null; restarted: boolean }> {
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
  const file = await open(options.partPath, 'a+');
  try {
    armWatchdog();
    const from = (options.range?.start ?? 0) + offset;
    const rangeHeader = options.range ? `bytes=${from}-${options.range.end}` : offset > 0 ? `bytes=${from}-` : null;
    const response = await options.fetch(options.url, {
      headers: { ...options.headers, ...(rangeHeader ? { Range: rangeHeader } : {}) },
      signal: controller.signal,
      redirect: 'follow'
    });
    if (response.status === 416 && offset > 0) {
      // Paused or killed just after the last byte: the part is already the whole file.
      const whole = Number(/bytes \*\/(\d+)/.exec(response.headers.get('content-range') ?? '')?.[1] ?? NaN);
      if (whole === offset && !options.range) return { total: offset, etag: response.headers.get('x-linked-etag') ?? response.headers.get('etag'), restarted: false };
      throw new TransferError('the server says the part on disk is longer than the file', false);
    }
    if (response.status >= 500 || response.status === 429) throw new TransferError(`the server answered HTTP ${response.status}`, true);
    if (response.status === 401 || response.status === 403) throw new TransferError(`access denied (HTTP ${response.status}); a gated model needs a Hugging Face token`, false);
    if (!response.ok || !response.body) throw new TransferError(`the server answered HTTP ${response.status}`, false);

    let start = offset;
    let restarted = false;
    if (options.range && response.status !== 206) throw new TransferError('the server does not send byte ranges, so the file cannot come in parallel segments', false);
    if (offset > 0 && response.status !== 206) {
      // No Range support: the whole file comes again, so the part starts over.
      await file.truncate(0);
      hash.current = createHash('sha256');
      start = 0;
      restarted = true;
    } else if (rangeHeader && contentRange(response.headers.get('content-range'))?.start !== from) {
      throw new TransferError('the server sent a different range than asked for', true);
    }
    const declaredLength = Number(response.headers.get('content-length') ?? NaN);
    const total = options.range
      ? options.range.end - options.range.start + 1
      : response.status === 206
        ? (contentRange(response.headers.get('content-range'))?.total ?? start + declaredLength)
        : declaredLength;

    let received = start;
    let sinceFlush = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      armWatchdog();
      await file.write(chunk);
      hash.current.update(chunk);
      received += chunk.length;
      sinceFlush += chunk.length;
      if (sinceFlush >= flushEveryBytes) {
        await file.sync();
        sinceFlush = 0;
      }
      options.onProgress?.(received, Number.isFinite(total) ? total : null);
    }
    await file.sync();
    if (Number.isFinite(declaredLength) && received - start !== declaredLength) {
      throw new TransferError(`the server declared ${declaredLength} bytes but sent ${received - start}`, true);
    }
    return { total: Number.isFinite(total) ? total : received, etag: response.headers.get('x-linked-etag') ?? response.headers.get('etag'), restarted };
  } catch (error) {
    if (controller.signal.aborted && controller.signal.reason instanceof TransferError) throw controller.signal.reason;
    if (options.signal.aborted) throw options.signal.reason;
    if (error instanceof TransferError) throw error;
    throw new TransferError(error instanceof Error ? (error.cause as Error)?.message ?? error.message : String(error), true);
  } finally {
    if (watchdog) clearTimeout(watchdog);
    options.signal.removeEventListener('abort', abortFromCaller);
    await file.close();
  }
}

/** Downloads `url` into `partPath`, resuming from what is there; resolves when the whole file is on disk. */
export async function transfer(options: TransferOptions): Promise<TransferResult> {
  const maxRetries = options.maxRetries ?? 8;
  const backoff = options.backoffMs ?? ((attempt) => Math.min(30_000, 500 * 2 ** attempt));
  let offset = await fileSize(options.partPath);
  const hash = { current: await hashExisting(options.partPath, offset) };
  // A segment already whole (a crash came after it finished): nothing to ask the server for.
  if (options.range && offset === options.range.end - options.range.start + 1) {
    return { totalBytes: offset, sha256: hash.current.digest('hex'), etag: null, restartedFromZero: false };
  }
  let restartedFromZero = false;
  for (let attempt = 0; ; attempt++) {
    try {
      const { total, etag, restarted } = await attemptOnce(options, offset, hash);
      restartedFromZero ||= restarted;
      const size = await fileSize(options.partPath);
      if (size > total) throw new TransferError(`${size} bytes arrived for a file of ${total}`, false);
      if (size < total) throw new TransferError(`the file should have ${total} bytes but ${size} arrived`, true);
      return { totalBytes: total, sha256: hash.current.digest('hex'), etag: etag?.replace(/^W\//, '').replace(/"/g, '') ?? null, restartedFromZero };
    } catch (error) {
      if (!(error instanceof TransferError) || !error.retryable || attempt >= maxRetries) throw error;
      options.onRetry?.(attempt + 1, error.message);
      await sleep(backoff(attempt), options.signal);
      // What is on disk is what arrived: resume from there, re-hashing it.
      offset = await fileSize(options.partPath);
      hash.current = await hashExisting(options.partPath, offset);
    }
  }
}
