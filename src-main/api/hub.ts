/**
 * Finding GGUF files on the Hugging Face Hub: a search's repositories, a repository's files grouped by
 * quantization with the fit of each on this machine, and the methods that answer them. Pure (no Node, no DOM):
 * the renderer and the preload bundle it too.
 */
import { z } from 'zod';
import type { FitReport } from './hardware';
import { method } from './method';

/** How a search is ordered, most first: the Hub's downloads of the last 30 days, its likes, or the latest change. */
export const hubSorts = ['downloads', 'likes', 'recent'] as const;
export type HubSort = (typeof hubSorts)[number];

/** `owner/name`, as the Hub spells a repository (the same pattern `hf:` sources accept). */
const hubRepoPattern = /^[\w.-]+\/[\w.-]+$/;

/** One repository a search found: what the Hub's `GET /api/models` says of it. */
export interface HubRepository {
  /** `owner/name`. */
  id: string;
  /** Downloads in the last 30 days, as the Hub counts them. */
  downloads: number;
  likes: number;
  /** ISO 8601, the last commit; null when the Hub did not say. */
  lastModified: string | null;
  /** `auto` (terms accepted at once) or `manual` (the owner approves each request); null when open. */
  gated: 'auto' | 'manual' | null;
  /** What a download from it needs, in one sentence (a token, accepting its terms); null when nothing. */
  access: string | null;
}

export interface HubSearchResult {
  query: string;
  sort: HubSort;
  repositories: HubRepository[];
}

/** One GGUF model file of a repository, or a split set of them counted as one. */
export interface HubFile {
  /** Path in the repository; a split set's first part (`…-00001-of-00003.gguf`). */
  path: string;
  /** Bytes on the Hub (its LFS size); a split set's parts added up. */
  sizeBytes: number;
  /** 1 for a single file, N for a set split into N parts. */
  parts: number;
  /**
   * What its Download starts (`downloads.start`): the file's `hf:owner/repo/path` reference, a split set's first
   * part's; null when it cannot be downloaded whole (a split set with parts missing from the repository).
   */
  source: string | null;
  /** Something to know before downloading it (a split set, a vision projector); null when nothing. */
  note: string | null;
  /** How it would fit this machine, with the recommendations' sentence; null for a file that is not a model on its own. */
  fit: FitReport | null;
}

/** The files of one quantization: usually one, more where a repository holds variants of it. */
export interface HubQuantGroup {
  /** As the file names spell it, upper-cased (Q4_K_M, IQ4_XS, UD-Q4_K_XL, BF16); null for names that carry none. */
  quantization: string | null;
  files: HubFile[];
}

export interface HubRepositoryFiles {
  repo: string;
  /** Largest file first (highest precision first); files whose names carry no quantization last. */
  groups: HubQuantGroup[];
  /** What downloading from it needs (a token, accepting its terms), when the Hub refused something; null otherwise. */
  access: string | null;
  /** Where the fits' model shape comes from, in one sentence: a header read from the Hub, or the sizes alone and why. */
  fitBasis: string;
  /** The context (tokens) the fits are for. */
  contextSize: number;
}

const contextSize = z.number().int().min(256).max(1_048_576);

export const hubMethods = {
  /** GGUF repositories on the Hub whose names contain `query`, most downloaded (or liked, or recent) first. */
  'hub.search': method<HubSearchResult>()(
    z.strictObject({ query: z.string().trim().min(1).max(200), sort: z.enum(hubSorts).optional(), limit: z.number().int().min(1).max(100).optional() })
  ),
  /** A repository's GGUF files grouped by quantization, each with its size and how it would fit here (one header read from the Hub). */
  'hub.files': method<HubRepositoryFiles>()(
    z.strictObject({ repo: z.string().trim().max(200).regex(hubRepoPattern, 'A repository is owner/name.'), contextSize: contextSize.optional() })
  )
};
