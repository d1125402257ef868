import { basename } from 'node:path';
import { ApiError } from '../../api';
import { builtInCatalog } from '../../catalog';
import type { Outbound } from '../../network';
import { splitPartNames, splitPartOf } from '../splitParts';

export interface ResolvedFile {
  url: string;
  fileName: string;
  /** From the Hub's file listing when it has one (LFS object id = SHA-256). */
  expectedSha256: string | null;
  sizeBytes: number | null;
}

/** The files a source brings: one, or every part of a split model in order (the first names the model). */
export interface ResolvedSource {
  files: ResolvedFile[];
}

export interface HubOptions {
  /** The Hub's address; tests point it at a local server (`HEARTH_HF_ENDPOINT`). */
  endpoint: string;
  /** For gated models; sent only to the Hub, never logged. */
  token: string | null;
}

/** The environment's token wins over a stored one; `stored` is the desktop's encrypted copy, if any. */
export function hubOptionsFromEnv(env: NodeJS.ProcessEnv = process.env, stored: string | null = null): HubOptions {
  return { endpoint: (env.HEARTH_HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, ''), token: env.HF_TOKEN || env.HEARTH_HF_TOKEN || stored };
}

/** The token goes to the Hub's own address only (not to a host whose name merely starts the same). */
export function hubHeaders(hub: HubOptions, url: string): Record<string, string> {
  return hub.token && url.startsWith(`${hub.endpoint}/`) ? { Authorization: `Bearer ${hub.token}` } : {};
}

const repoPattern = /^[\w.-]+\/[\w.-]+$/;

interface HubFile {
  type: string;
  path: string;
  size: number;
  lfs?: { oid: string; size: number };
}

async function listRepo(hub: HubOptions, repo: string, outbound: Outbound): Promise<HubFile[]> {
  const url = `${hub.endpoint}/api/models/${repo}/tree/main?recursive=true`;
  const response = await outbound.fetch('hub', url, { headers: hubHeaders(hub, url) }).catch((error: Error) => {
    if (error instanceof ApiError) throw error;
    throw new ApiError('DOWNLOAD_FAILED', `Could not reach the Hub to list ${repo}: ${(error.cause as Error)?.message ?? error.message}`);
  });
  if (response.status === 401 || response.status === 403) throw new ApiError('DOWNLOAD_FAILED', `${repo} is gated or private: set a Hugging Face token (HF_TOKEN).`);
  if (!response.ok) throw new ApiError('DOWNLOAD_FAILED', `The Hub could not list ${repo} (HTTP ${response.status}).`);
  return (await response.json()) as HubFile[];
}

function fileUrl(hub: HubOptions, repo: string, path: string): string {
  return `${hub.endpoint}/${repo}/resolve/main/${path.split('/').map(encodeURIComponent).join('/')}`;
}

const fromListing = (hub: HubOptions, repo: string, file: HubFile): ResolvedFile => ({
  url: fileUrl(hub, repo, file.path),
  fileName: basename(file.path),
  expectedSha256: file.lfs?.oid ?? null,
  sizeBytes: file.lfs?.size ?? file.size
});

/** A part other than the first is refused with the first part's name: the first brings the others. */
function requireFirstPart(name: string): void {
  const split = splitPartOf(name);
  if (split && split.part !== 1) {
    throw new ApiError('VALIDATION', `${name} is part ${split.part} of ${split.count} of a split model: download its first part, ${splitPartNames(name)[0]}, which brings the others.`);
  }
}

async function fromRepoFile(hub: HubOptions, repo: string, path: string, outbound: Outbound): Promise<ResolvedSource> {
  requireFirstPart(basename(path));
  const listing = await listRepo(hub, repo, outbound).catch((error: unknown) => {
    // Offline is an answer, not a missing listing.
    if (error instanceof ApiError && error.code === 'FORBIDDEN') throw error;
    return null;
  });
  // Without a listing, the download itself will tell what is there.
  if (!listing) return { files: splitPartNames(path).map((part) => ({ url: fileUrl(hub, repo, part), fileName: basename(part), expectedSha256: null, sizeBytes: null })) };
  return listedSet(hub, repo, path, listing);
}

/** The file at `path` (with the other parts of its split set) as the listing gives them. */
function listedSet(hub: HubOptions, repo: string, path: string, listing: HubFile[]): ResolvedSource {
  const paths = splitPartNames(path);
  const listed = paths.map((part) => listing.find((file) => file.path === part));
  // A listing that works but lacks a file is a clear "not there".
  if (!listed[0]) throw new ApiError('NOT_FOUND', `${repo} has no file ${path}.`);
  const missing = paths.filter((_, index) => !listed[index]);
  if (missing.length > 0) throw new ApiError('NOT_FOUND', `${repo} lists only ${paths.length - missing.length} of the ${paths.length} parts of ${basename(path)} (${missing.map((part) => basename(part)).join(', ')} missing).`);
  return { files: listed.map((file) => fromListing(hub, repo, file!)) };
}

/**
 * "owner/repo:Q4_K_M": the repository's GGUF of that quantization; a single file wins over a split set
 * (the shortest name among several), and a split set brings all its parts.
 */
async function fromQuantization(hub: HubOptions, repo: string, quantization: string, outbound: Outbound): Promise<ResolvedSource> {
  const escaped = quantization.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // "Qwen3-8B-Q4_K_M.gguf", "llama-2-7b-chat.Q4_K_M.gguf", and split sets "…-Q4_K_M-00001-of-00003.gguf".
  const named = new RegExp(`[-._]${escaped}(-\\d{5}-of-\\d{5})?\\.gguf$`, 'i');
  const listing = await listRepo(hub, repo, outbound);
  const matches = listing.filter((file) => file.type === 'file' && named.test(basename(file.path)));
  if (matches.length === 0) throw new ApiError('NOT_FOUND', `${repo} has no ${quantization} GGUF file.`);
  const byLength = (a: HubFile, b: HubFile) => a.path.length - b.path.length;
  const single = matches.filter((file) => !splitPartOf(file.path)).sort(byLength)[0];
  if (single) return { files: [fromListing(hub, repo, single)] };
  const first = matches.filter((file) => splitPartOf(file.path)?.part === 1).sort(byLength)[0];
  if (!first) throw new ApiError('NOT_FOUND', `${repo} has parts of a split ${quantization} model but not its first part.`);
  return listedSet(hub, repo, first.path, listing);
}

/**
 * Turns what the user typed into a URL: `hf:owner/repo/file.gguf`, `hf:owner/repo:Q4_K_M`,
 * `catalog:<model id>:<quantization>`, or a plain https URL.
 */
export async function resolveSource(source: string, hub: HubOptions, outbound: Outbound): Promise<ResolvedSource> {
  const text = source.trim();
  if (text.startsWith('catalog:')) {
    const [, modelId, quantization] = text.split(':');
    const model = builtInCatalog().models.find((entry) => entry.id === modelId);
    const file = model?.files.find((entry) => entry.quantization === quantization);
    if (!model || !file) throw new ApiError('NOT_FOUND', `The catalog has no ${quantization ?? '?'} file of "${modelId ?? ''}".`);
    return fromRepoFile(hub, model.ggufRepo, file.file, outbound);
  }
  if (text.startsWith('hf:')) {
    const rest = text.slice(3);
    const quantized = /^([^/:]+\/[^/:]+):([\w.-]+)$/.exec(rest);
    if (quantized && repoPattern.test(quantized[1])) return fromQuantization(hub, quantized[1], quantized[2], outbound);
    const [owner, name, ...path] = rest.split('/');
    const repo = `${owner}/${name}`;
    if (!repoPattern.test(repo) || path.length === 0 || path.some((part) => part === '..' || part === '') || !/\.gguf$/i.test(path.at(-1)!)) {
      throw new ApiError('VALIDATION', `"${source}" is not hf:owner/repo/file.gguf or hf:owner/repo:QUANTIZATION.`);
    }
    return fromRepoFile(hub, repo, path.join('/'), outbound);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ApiError('VALIDATION', `"${source}" is not a download source: use hf:owner/repo/file.gguf, hf:owner/repo:Q4_K_M, catalog:id:Q4_K_M or an https URL.`);
  }
  const local = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) throw new ApiError('VALIDATION', 'Only https URLs (or http on this machine) can be downloaded.');
  const fileName = decodeURIComponent(basename(url.pathname));
  if (!/\.gguf$/i.test(fileName) || fileName.includes('/') || fileName.startsWith('.')) throw new ApiError('VALIDATION', `The URL does not name a .gguf file: ${url.pathname}`);
  requireFirstPart(fileName);
  // The other parts of a split model sit beside the first, under the names llama.cpp gives them.
  return {
    files: splitPartNames(url.pathname).map((path) => {
      const part = new URL(url.href);
      part.pathname = path;
      return { url: part.href, fileName: decodeURIComponent(basename(path)), expectedSha256: null, sizeBytes: null };
    })
  };
}

/**
 * The source saved under the name the user picked (a .gguf file name); a split model's parts are named
 * after it, keeping llama.cpp's part suffixes. Without a name, the source as it is.
 */
export function renameSource(resolved: ResolvedSource, fileName: string | undefined): ResolvedSource {
  if (fileName === undefined) return resolved;
  if (!/\.gguf$/i.test(fileName) || /[/\\]/.test(fileName) || fileName.startsWith('.') || splitPartOf(fileName)) {
    throw new ApiError('VALIDATION', `"${fileName}" cannot name a model file: use a name ending in .gguf, without folders or a part suffix (-00001-of-00003).`);
  }
  const base = fileName.replace(/\.gguf$/i, '');
  const count = resolved.files.length;
  const digits = (value: number) => String(value).padStart(5, '0');
  return { files: resolved.files.map((file, index) => ({ ...file, fileName: count === 1 ? fileName : `${base}-${digits(index + 1)}-of-${digits(count)}.gguf` })) };
}
