/** What the server's answers say of a remote file: its size, whether it takes ranges, which version it is. */
import { ApiError } from '../../api';

export interface RemoteFile {
  size: number | null;
  acceptsRanges: boolean;
  /** See `validatorOf`. */
  validator: string | null;
}

/**
 * The version of the file an answer is from, as If-Range takes it: a strong ETag, else Last-Modified
 * (a weak ETag cannot be used in If-Range); null when the server gives neither.
 */
export function validatorOf(headers: Headers): string | null {
  const etag = headers.get('etag');
  if (etag && !etag.startsWith('W/')) return etag;
  return headers.get('last-modified');
}

/** Parses "bytes 100-199/1000" into its start and total (null for "*"). */
export function contentRange(header: string | null): { start: number; total: number | null } | null {
  const match = header ? /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header.trim()) : null;
  return match ? { start: Number(match[1]), total: match[2] === '*' ? null : Number(match[2]) } : null;
}

/** The whole file's size an answer tells: Content-Range's total for a 206, Content-Length for a 200. */
export function sizeOf(response: Response): number | null {
  if (response.status === 206) return contentRange(response.headers.get('content-range'))?.total ?? null;
  const length = Number(response.headers.get('content-length') ?? NaN);
  return response.status === 200 && Number.isSafeInteger(length) ? length : null;
}

/** The SHA-256 the Hub names in `x-linked-etag` for LFS files; null for anything else. */
export function linkedSha256(headers: Headers): string | null {
  const etag = headers.get('x-linked-etag')?.replace(/^W\//, '').replace(/"/g, '') ?? null;
  return etag && /^[0-9a-f]{64}$/i.test(etag) ? etag.toLowerCase() : null;
}

/**
 * Asks for the file's first byte: a ranged GET's answer tells the size, whether ranges work and the
 * version, where a HEAD's may not. For a file whose source did not give its size. Missing and
 * forbidden files are errors; a server that cannot answer now leaves the size unknown, for the
 * transfer's retries to deal with.
 */
export async function probeFile(fetcher: typeof fetch, url: string, headers: Record<string, string>): Promise<RemoteFile> {
  const unknown: RemoteFile = { size: null, acceptsRanges: false, validator: null };
  let response: Response;
  try {
    response = await fetcher(url, { headers: { ...headers, Range: 'bytes=0-0' } });
  } catch (error) {
    if (error instanceof ApiError) throw error;
    return unknown;
  }
  await response.body?.cancel();
  if (response.status === 401 || response.status === 403) throw new ApiError('DOWNLOAD_FAILED', `Access to ${new URL(url).host} was denied (HTTP ${response.status}); a gated model needs a Hugging Face token.`);
  if (response.status === 404 || response.status === 410) throw new ApiError('NOT_FOUND', `There is no file at ${new URL(url).host}${new URL(url).pathname} (HTTP ${response.status}).`);
  if (!response.ok) return unknown;
  return { size: sizeOf(response), acceptsRanges: response.status === 206, validator: validatorOf(response.headers) };
}
