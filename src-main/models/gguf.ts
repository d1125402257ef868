import { GgmlType, GgufFileType, readGgufFileInfo, type GgufFileInfo } from 'node-llama-cpp';
import { open } from 'node:fs/promises';
import { ApiError } from '../api';

export interface GgufSummary {
  architecture: string | null;
  quantization: string | null;
  hasChatTemplate: boolean;
  name: string | null;
}

/**
 * Reads a GGUF header; anything that is not a readable GGUF becomes a MODEL_INVALID error with the
 * reason. A file that does not start with GGUF's signature is refused before it is parsed, and no
 * error repeats what the file holds: any readable file could be named here (/etc/passwd too).
 */
export async function readGgufHeader(path: string): Promise<GgufFileInfo> {
  const magic = Buffer.alloc(4);
  let version: string;
  try {
    const file = await open(path, 'r');
    try {
      await file.read(magic, 0, 4, 0);
      const stats = await file.stat();
      version = [path, stats.dev, stats.ino, stats.size, stats.mtimeMs].join('\0');
    } finally {
      await file.close();
    }
  } catch (error) {
    throw new ApiError('MODEL_INVALID', `Not a usable GGUF model file: it cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  if (magic.toString('latin1') !== 'GGUF') throw new ApiError('MODEL_INVALID', 'Not a usable GGUF model file: not a GGUF file (it does not start with the GGUF signature).');
  const cached = recentHeaders.get(version);
  if (cached) return cached;
  try {
    const info = await readGgufFileInfo(path, { readTensorInfo: true });
    recentHeaders.set(version, info);
    if (recentHeaders.size > recentHeaderLimit) recentHeaders.delete(recentHeaders.keys().next().value!);
    return info;
  } catch (error) {
    const reason = (error instanceof Error ? error.message.split('\n')[0] : String(error)).replace(/, got "[^"]*"/g, '');
    throw new ApiError('MODEL_INVALID', `Not a usable GGUF model file: ${reason}`);
  }
}

/**
 * The last headers read, by file version (device, inode, size, modification time): a load reads the
 * header to check the file, to fit it and to open it, and a 128K-token vocabulary takes ~60 ms to parse
 * each time. A few entries only: such a header holds tens of MB of strings.
 */
const recentHeaders = new Map<string, GgufFileInfo>();
const recentHeaderLimit = 2;

/** `general.file_type` when the converter set it, else the most common tensor type (e.g. an all-F32 file). */
export function quantizationOf(info: GgufFileInfo): string | null {
  const fileType = info.metadata?.general?.file_type;
  if (fileType !== undefined && GgufFileType[fileType]) return GgufFileType[fileType].replace(/^MOSTLY_/, '');
  const counts = new Map<number, number>();
  for (const tensor of info.fullTensorInfo ?? info.tensorInfo ?? []) counts.set(tensor.ggmlType, (counts.get(tensor.ggmlType) ?? 0) + 1);
  let dominant: number | null = null;
  for (const [type, count] of counts) if (dominant === null || count > (counts.get(dominant) ?? 0)) dominant = type;
  return dominant === null ? null : (GgmlType[dominant] ?? null);
}

export function summarizeGguf(info: GgufFileInfo): GgufSummary {
  return {
    architecture: info.metadata?.general?.architecture ?? null,
    quantization: quantizationOf(info),
    hasChatTemplate: Boolean(info.metadata?.tokenizer?.chat_template?.trim()),
    name: info.metadata?.general?.name ?? null
  };
}
