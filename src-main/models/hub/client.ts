/**
 * The Hugging Face Hub's search and file listing, through the one door out (`Outbound`: logged, refused while
 * offline). Request and answer shapes: the Hub's API documentation (hub-docs, docs/hub/api.md: `GET /api/models`
 * with search, filter, sort, direction, limit) and huggingface.js (packages/hub/src/lib/list-models.ts: the
 * `expand` fields and sort names; packages/hub/src/types/api/api-model.ts: `ApiModelInfo`).
 */
import { z } from 'zod';
import { ApiError, type HubRepository, type HubSort } from '../../api';
import type { Outbound } from '../../network';
import { hubHeaders, type HubOptions } from '../downloads';
import type { HubTreeEntry } from './files';

/** The Hub's sort field for each of ours; `direction=-1` orders them most first. */
const sortFields: Record<HubSort, string> = { downloads: 'downloads', likes: 'likes', recent: 'lastModified' };

/** With `expand`, the Hub answers only the fields named (and `_id`, `id`); `gated` is false or how access is granted. */
const searchAnswer = z.array(
  z.object({
    id: z.string(),
    downloads: z.number().optional(),
    likes: z.number().optional(),
    lastModified: z.string().optional(),
    gated: z.union([z.literal(false), z.enum(['auto', 'manual'])]).optional()
  })
);

const treeAnswer = z.array(
  z.object({ type: z.enum(['file', 'directory', 'unknown']), path: z.string(), size: z.number(), lfs: z.object({ oid: z.string(), size: z.number() }).optional() })
);

/** Pages of a listing followed at most: the Hub pages long listings (a `Link: <…>; rel="next"` header). */
const maxPages = 10;

const tokenHow = 'HF_TOKEN in the environment, or the token field under Downloads in the desktop app';

/** What a gated repository's downloads need, in one sentence. */
export function gatedAccess(hub: HubOptions, repo: string): string {
  return hub.token
    ? `Gated: your Hugging Face token is sent; downloads work once your account has accepted its terms at ${hub.endpoint}/${repo}.`
    : `Gated: accept its terms at ${hub.endpoint}/${repo}, then give Hearth a Hugging Face token (${tokenHow}).`;
}

/**
 * What a refused answer (HTTP 401 or 403) needs. The Hub answers 401 for private and gated repositories without a
 * token and for missing ones alike, and 403 for a gated one the token's account may not open yet (huggingface_hub,
 * utils/_http.py, `hf_raise_for_status`), so the sentence names each.
 */
function refusedAccess(hub: HubOptions, repo: string): string {
  return hub.token
    ? `The Hub refused ${repo} to your token: it is gated and your account has not been granted access at ${hub.endpoint}/${repo} yet, or it is private.`
    : `The Hub refused ${repo} without a token: it is gated or private. Accept its terms at ${hub.endpoint}/${repo}, then give Hearth a Hugging Face token (${tokenHow}).`;
}

async function reach(outbound: Outbound, url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await outbound.fetch('hub', url, init);
  } catch (error) {
    // Offline is Outbound's own answer (FORBIDDEN), already worded for the user.
    if (error instanceof ApiError) throw error;
    const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw new ApiError('DOWNLOAD_FAILED', `Could not reach the Hub to ${what}: ${cause}`);
  }
}

/** The search's address: GGUF repositories (the Hub tags every repository holding a GGUF `gguf`) whose names contain `query`. */
export function searchUrl(endpoint: string, query: string, sort: HubSort, limit: number): string {
  const parameters = new URLSearchParams({ search: query, filter: 'gguf', sort: sortFields[sort], direction: '-1', limit: String(limit) });
  for (const field of ['downloads', 'likes', 'lastModified', 'gated']) parameters.append('expand', field);
  return `${endpoint}/api/models?${parameters}`;
}

/** Most first by the chosen figure; ties keep the Hub's order. The Hub sorts already: this keeps the promise whatever it answers. */
export function sortRepositories(repositories: readonly HubRepository[], sort: HubSort): HubRepository[] {
  const key = (repository: HubRepository) =>
    sort === 'downloads' ? repository.downloads : sort === 'likes' ? repository.likes : repository.lastModified ? Date.parse(repository.lastModified) || 0 : 0;
  return [...repositories].sort((a, b) => key(b) - key(a));
}

/**
 * Searches the Hub for GGUF repositories. Sends no token: a search needs none, and without one it shows what
 * anyone would see.
 *
 * @param limit at most this many repositories (the Hub's first page)
 * @throws ApiError FORBIDDEN while Hearth is offline; DOWNLOAD_FAILED when the Hub cannot be reached or answers
 *   with an error or a shape Hearth does not know
 */
export async function searchHub(hub: HubOptions, outbound: Outbound, query: string, sort: HubSort, limit: number): Promise<HubRepository[]> {
  const response = await reach(outbound, searchUrl(hub.endpoint, query, sort, limit), { headers: { Accept: 'application/json' } }, `search for "${query}"`);
  if (!response.ok) throw new ApiError('DOWNLOAD_FAILED', `The Hub could not search for "${query}" (HTTP ${response.status}).`);
  const answer = searchAnswer.safeParse(await response.json().catch(() => null));
  if (!answer.success) throw new ApiError('DOWNLOAD_FAILED', `The Hub's answer to the search for "${query}" is not the list of repositories Hearth expects.`);
  const repositories = answer.data.map(
    (item): HubRepository => ({
      id: item.id,
      downloads: item.downloads ?? 0,
      likes: item.likes ?? 0,
      lastModified: item.lastModified ?? null,
      gated: item.gated || null,
      access: item.gated ? gatedAccess(hub, item.id) : null
    })
  );
  return sortRepositories(repositories, sort);
}

const infoAnswer = z.object({ id: z.string(), gated: z.union([z.literal(false), z.enum(['auto', 'manual'])]).optional() });

/**
 * Whether a repository is gated (`GET /api/models/{repo}?expand=gated`: its card is public even where its files
 * are not), with the token where one is set.
 *
 * @returns how access is granted (null: open), or (HTTP 401 or 403: private, or gated and refused) why and what would open it
 * @throws ApiError FORBIDDEN while offline; NOT_FOUND when the Hub has no such repository; DOWNLOAD_FAILED when it
 *   cannot be reached or answers with an error or an unknown shape
 */
export async function repositoryInfo(hub: HubOptions, outbound: Outbound, repo: string): Promise<{ gated: 'auto' | 'manual' | null } | { refused: string }> {
  const url = `${hub.endpoint}/api/models/${repo}?expand=gated`;
  const response = await reach(outbound, url, { headers: { Accept: 'application/json', ...hubHeaders(hub, url) } }, `look up ${repo}`);
  const refused = refusal(response, hub, repo);
  if (refused) return { refused };
  const answer = infoAnswer.safeParse(await response.json().catch(() => null));
  if (!answer.success) throw new ApiError('DOWNLOAD_FAILED', `The Hub's answer about ${repo} is not the shape Hearth expects.`);
  return { gated: answer.data.gated || null };
}

/** A refused answer's sentence (401, 403); throws for a missing repository or another error; null for a good answer. */
function refusal(response: Response, hub: HubOptions, repo: string): string | null {
  if (response.status === 401 || response.status === 403) return refusedAccess(hub, repo);
  if (response.status === 404) throw new ApiError('NOT_FOUND', `The Hub has no repository ${repo}.`);
  if (!response.ok) throw new ApiError('DOWNLOAD_FAILED', `The Hub could not answer about ${repo} (HTTP ${response.status}).`);
  return null;
}

/** The next page's address from a `Link` header (RFC 8288), as the Hub pages its listings; null on the last page. */
export function nextPageOf(link: string | null): string | null {
  return /<([^>]+)>;\s*rel="next"/.exec(link ?? '')?.[1] ?? null;
}

/**
 * Every file of a repository's main branch (`GET /api/models/{repo}/tree/main?recursive=true`), with the token
 * where one is set (gated and private repositories need it).
 *
 * @returns the entries, or (HTTP 401 or 403) why the Hub refused them and what would open them
 * @throws ApiError FORBIDDEN while offline; NOT_FOUND when the Hub has no such repository; DOWNLOAD_FAILED when it
 *   cannot be reached or answers with an error or an unknown shape
 */
export async function listRepository(hub: HubOptions, outbound: Outbound, repo: string): Promise<{ entries: HubTreeEntry[] } | { refused: string }> {
  const entries: HubTreeEntry[] = [];
  let url: string | null = `${hub.endpoint}/api/models/${repo}/tree/main?recursive=true`;
  for (let page = 0; url && page < maxPages; page++) {
    const response: Response = await reach(outbound, url, { headers: { Accept: 'application/json', ...hubHeaders(hub, url) } }, `list ${repo}`);
    const refused = refusal(response, hub, repo);
    if (refused) return { refused };
    const answer = treeAnswer.safeParse(await response.json().catch(() => null));
    if (!answer.success) throw new ApiError('DOWNLOAD_FAILED', `The Hub's file list of ${repo} is not the shape Hearth expects.`);
    entries.push(...answer.data);
    url = nextPageOf(response.headers.get('Link'));
  }
  return { entries };
}
