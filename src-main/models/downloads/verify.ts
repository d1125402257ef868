/** The checks a downloaded file passes before it may enter the library, and what happens when it fails them. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readGgufHeader } from '../gguf';

/** SHA-256 of a file, in one sequential read pass; rejects when `signal` aborts. */
async function hashFile(path: string, signal: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { signal, highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Checks a whole part file: its SHA-256 against the published one (when there is one) and its GGUF
 * header. Returns the hash, and the problem in one sentence or null.
 */
export async function checkPart(partPath: string, published: string | null, signal: AbortSignal): Promise<{ sha256: string; problem: string | null }> {
  const sha256 = await hashFile(partPath, signal);
  if (published && published !== sha256) return { sha256, problem: `SHA-256 mismatch: the Hub publishes ${published}, the file has ${sha256}.` };
  try {
    await readGgufHeader(partPath);
  } catch (error) {
    return { sha256, problem: (error as Error).message };
  }
  return { sha256, problem: null };
}

/** Moves a file that failed its checks aside (never into the library); returns the folder it went to. */
export async function quarantine(modelsDir: string, partPath: string, fileName: string): Promise<string> {
  const folder = join(modelsDir, '.quarantine');
  await mkdir(folder, { recursive: true });
  await rename(partPath, join(folder, fileName));
  return folder;
}

export const exists = (path: string) => stat(path).then(() => true, () => false);
