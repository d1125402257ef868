/**
 * A repository's GGUF files as people pick them: by quantization, read from the file names (the Hub has no
 * field for it), with a split set (`…-00001-of-00003.gguf`, llama.cpp's gguf-split naming) counted as one file.
 * Pure: the listing comes from `listRepository`.
 */
import { splitPartOf } from '../splitParts';

/**
 * One entry of the Hub's file listing, `GET /api/models/{repo}/tree/main?recursive=true`. Shape: huggingface.js,
 * packages/hub/src/types/api/api-index-tree.ts (`ApiIndexTreeEntry`): `size` is the Git blob's, which for a file
 * kept in LFS (every GGUF) is the pointer's; `lfs.size` is the file's own.
 */
export interface HubTreeEntry {
  type: 'file' | 'directory' | 'unknown';
  path: string;
  size: number;
  lfs?: { oid: string; size: number };
}

/** A model file as the repository offers it: one GGUF, or a split set of them. */
export interface GgufFileSet {
  /** The single file's path, or the split set's first part's. */
  path: string;
  quantization: string | null;
  /** Bytes: the file's, or the parts' on the Hub added up. */
  sizeBytes: number;
  /** 1, or the N of `-0000k-of-0000N`. */
  parts: number;
  /** Parts the listing holds (fewer than `parts` when some are missing from the repository). */
  partsListed: number;
  /** A vision projector (`mmproj-…`): used beside a model, not a chat model on its own. */
  projector: boolean;
}

export interface GgufGroup {
  quantization: string | null;
  files: GgufFileSet[];
}

/**
 * llama.cpp's quantization names (ggml types and llama-quantize's mixes), with the variants GGUF publishers add:
 * bartowski's `_L`/`_XL` (Q4_K_L), Unsloth's dynamic `UD-` prefix (UD-Q4_K_XL), `FP16` for F16, `MXFP4` (gpt-oss).
 */
const quantizationPattern =
  /(?<![A-Za-z0-9])((?:UD-)?(?:IQ[1-4]_(?:XXS|XS|NL|S|M)|Q[2-8]_K(?:_(?:XL|L|M|S))?|Q[4-8]_[01](?:_\d_\d)?|TQ[12]_0|MXFP4(?:_MOE)?|B?F16|F32|FP16|FP32))(?![A-Za-z0-9])/gi;

/**
 * The quantization a GGUF file's name carries, upper-cased (`qwen2.5-7b-instruct-q4_k_m.gguf` → Q4_K_M,
 * `Qwen3-30B-A3B-UD-Q4_K_XL-00001-of-00002.gguf` → UD-Q4_K_XL, `model-fp16.gguf` → F16); the last one where a
 * name holds several; null where it holds none.
 */
export function quantizationOfName(path: string): string | null {
  const name = path.split('/').at(-1) ?? path;
  const stem = splitPartOf(name)?.base ?? name.replace(/\.gguf$/i, '');
  const found = [...stem.matchAll(quantizationPattern)].at(-1)?.[1];
  return found ? found.toUpperCase().replace(/^FP(16|32)$/, 'F$1') : null;
}

const isProjector = (path: string) => /(^|[-_.])mmproj([-_.]|$)/i.test(path.split('/').at(-1) ?? path);

/**
 * The listing's GGUF files, split sets joined into one entry, grouped by quantization: the group with the
 * largest file first (highest precision first), names without a quantization last; within a group, largest
 * first. Sizes are the LFS sizes (the file's own), else the listed size.
 */
export function groupGgufFiles(entries: readonly HubTreeEntry[]): GgufGroup[] {
  const sets = new Map<string, GgufFileSet>();
  for (const entry of entries) {
    if (entry.type !== 'file' || !/\.gguf$/i.test(entry.path)) continue;
    const split = splitPartOf(entry.path);
    const key = split ? split.base : entry.path;
    const bytes = entry.lfs?.size ?? entry.size;
    const known = sets.get(key);
    if (known) {
      known.sizeBytes += bytes;
      known.partsListed += 1;
      // The first part is the one a download starts from, whatever order the listing comes in.
      if (split && split.part === 1) known.path = entry.path;
      continue;
    }
    sets.set(key, { path: entry.path, quantization: quantizationOfName(entry.path), sizeBytes: bytes, parts: split?.count ?? 1, partsListed: 1, projector: isProjector(entry.path) });
  }
  const groups = new Map<string | null, GgufFileSet[]>();
  for (const set of sets.values()) groups.set(set.quantization, [...(groups.get(set.quantization) ?? []), set]);
  const largest = (files: GgufFileSet[]) => Math.max(...files.map((file) => file.sizeBytes));
  return [...groups.entries()]
    .map(([quantization, files]) => ({ quantization, files: files.sort((a, b) => b.sizeBytes - a.sizeBytes || a.path.localeCompare(b.path)) }))
    .sort((a, b) => Number(a.quantization === null) - Number(b.quantization === null) || largest(b.files) - largest(a.files));
}
