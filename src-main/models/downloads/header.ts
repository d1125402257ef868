/**
 * A remote GGUF's header, read with range requests sized to it: 16 KiB first (a small model's whole
 * header), then four times as much each time the header goes on. The first answer's Content-Range
 * gives the file's size, so no HEAD is needed. node-llama-cpp parses what came.
 */
import { readGgufFileInfo, type GgufFileInfo } from 'node-llama-cpp';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentRange } from './remote';

const firstRead = 16 * 1024;
const growth = 4;
/** Larger headers are refused: the biggest vocabularies make headers of tens of MB. */
const largestHeader = 256 * 1024 * 1024;

/**
 * Parses `bytes` as a GGUF header; null while they hold only its beginning. The parser reads past the
 * end of a short file as zeros, so a header that is cut off parses to an end beyond the bytes there are.
 */
async function parseHeader(bytes: Buffer, folder: string): Promise<GgufFileInfo | null> {
  if (bytes.length >= 4 && bytes.toString('latin1', 0, 4) !== 'GGUF') throw new Error('not a GGUF file (it does not start with the GGUF signature)');
  const path = join(folder, 'header.gguf');
  await writeFile(path, bytes);
  try {
    const info = await readGgufFileInfo(path, { sourceType: 'filesystem', spliceSplitFiles: false, logWarnings: false });
    return info.infoEndOffset !== undefined && info.infoEndOffset <= bytes.length ? info : null;
  } catch {
    // A cut-off header may also fail to parse: more bytes decide.
    return null;
  }
}

/**
 * Reads the GGUF header of `url` through `fetcher` (every request logged by the caller's door), and the
 * file's size when the server tells it. Errors say what went wrong in one line.
 */
export async function readRemoteHeader(fetcher: typeof fetch, url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<{ info: GgufFileInfo; sizeBytes: number | null }> {
  const folder = await mkdtemp(join(tmpdir(), 'hearth-header-'));
  try {
    let bytes: Buffer = Buffer.alloc(0);
    let size: number | null = null;
    for (let want = firstRead; ; want = Math.min(want * growth, largestHeader)) {
      const response = await fetcher(url, { headers: { ...headers, Range: `bytes=${bytes.length}-${want - 1}` }, signal });
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`the server answered HTTP ${response.status}`);
      }
      // A server without ranges sends the whole file: only what was asked for is read of it.
      const body = response.status === 206 ? Buffer.from(await response.arrayBuffer()) : await readUpTo(response, want);
      const range = contentRange(response.headers.get('content-range'));
      if (response.status === 206 && range?.start !== bytes.length) throw new Error('the server sent a different range than asked for');
      size = range?.total ?? size;
      bytes = response.status === 206 ? Buffer.concat([bytes, body]) : body;
      const info = await parseHeader(bytes, folder);
      if (info) return { info, sizeBytes: size ?? (response.status === 200 ? Number(response.headers.get('content-length')) || null : null) };
      if (size !== null ? bytes.length >= size : bytes.length < want) throw new Error('the file ends inside its header');
      if (want >= largestHeader) throw new Error(`its header is larger than ${largestHeader / 1024 / 1024} MiB`);
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** The first `limit` bytes of a body, dropping the connection after them. */
async function readUpTo(response: Response, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  const reader = response.body!.getReader();
  while (length < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(Buffer.from(value));
    length += value.length;
  }
  await reader.cancel();
  return Buffer.concat(chunks).subarray(0, limit);
}
