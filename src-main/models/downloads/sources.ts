import { basename } from 'node:path';
import { ApiError } from '../../api';
import { builtInCatalog } from '../../catalog';
import type { Outbound } from '../../network';

export interface ResolvedSource {
  url: string;
  fileName: string;
  /** From the Hub's file listing when it has one (LFS object id = SHA-256). */
  expectedSha256: string | null;
  sizeBytes: number | null;
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

export function hubHeaders(hub: HubOptions, url: string): Record<string, string> {
  return hub.token && url.startsWith(hub.endpoint) ? { Authorization: `Bearer ${hub.token}` } : {};
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

async function fromRepoFile(hub: HubOptions, repo: string, path: string, outbound: Outbound): Promise<ResolvedSource> {
  const listing = await listRepo(hub, repo, outbound).catch((error: unknown) => {
    // Offline is an answer, not a missing listing.
    if (error instanceof ApiError && error.code === 'FORBIDDEN') throw error;
    return null;
  });
  const listed = listing?.find((file) => file.path === path);
  // A listing that works but lacks the file is a clear "not there"; without a listing, the download itself will tell.
  if (listing && !listed) throw new ApiError('NOT_FOUND', `${repo} has no file ${path}.`);
  return { url: fileUrl(hub, repo, path), fileName: basename(path), expectedSha256: listed?.lfs?.oid ?? null, sizeBytes: listed?.lfs?.size ?? listed?.size ?? null };
}

/** "owner/repo:Q4_K_M": the repository's one GGUF of that quantization (split sets are not single files). */
async function fromQuantization(hub: HubOptions, repo: string, quantization: string, outbound: Outbound): Promise<ResolvedSource> {
  const escaped = quantization.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // "Qwen3-8B-Q4_K_M.gguf", "llama-2-7b-chat.Q4_K_M.gguf", and split sets "…-Q4_K_M-00001-of-00003.gguf".
  const named = new RegExp(`[-._]${escaped}(-\\d{5}-of-\\d{5})?\\.gguf$`, 'i');
  const matches = (await listRepo(hub, repo, outbound)).filter((file) => file.type === 'file' && named.test(basename(file.path)));
  if (matches.length === 0) throw new ApiError('NOT_FOUND', `${repo} has no ${quantization} GGUF file.`);
  const single = matches.filter((file) => !/-\d{5}-of-\d{5}\.gguf$/i.test(file.path));
  if (single.length === 0) throw new ApiError('DOWNLOAD_FAILED', `${repo}'s ${quantization} is split into several files, which Hearth cannot download yet.`);
  const file = single.sort((a, b) => a.path.length - b.path.length)[0];
  return { url: fileUrl(hub, repo, file.path), fileName: basename(file.path), expectedSha256: file.lfs?.oid ?? null, sizeBytes: file.lfs?.size ?? file.size };
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
  return { url: url.href, fileName, expectedSha256: null, sizeBytes: null };
}
