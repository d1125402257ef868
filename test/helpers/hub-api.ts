import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What the test Hub says of one repository beyond its files (every `owner/name/…` prefix of the served files is a
 * repository; those without a card answer zeros and open access).
 */
export interface HubRepoCard {
  /** Downloads in the last 30 days. */
  downloads?: number;
  likes?: number;
  /** ISO 8601. */
  lastModified?: string;
  /** Gated as the Hub gates: the card and the file list are public; the files answer 401 without `token`. */
  gated?: 'auto' | 'manual';
  /** The bearer token that opens a gated repository's files. */
  token?: string;
}

const repositoryOf = (name: string) => /^([^/]+\/[^/]+)\/.+$/.exec(name)?.[1] ?? null;

function repositories(files: Record<string, Buffer>): string[] {
  const ids = Object.keys(files)
    .filter((name) => /\.gguf$/i.test(name))
    .map(repositoryOf)
    .filter((id): id is string => id !== null && !id.startsWith('files/'));
  return [...new Set(ids)];
}

/**
 * A repository as the Hub's `GET /api/models` answers it: with `expand`, only `_id`, `id` and the fields named
 * (huggingface.js packages/hub/src/lib/list-models.ts, `ApiModelInfo`); without, its default set.
 */
function modelInfo(id: string, card: HubRepoCard, expand: string[]): Record<string, unknown> {
  const full: Record<string, unknown> = {
    downloads: card.downloads ?? 0,
    likes: card.likes ?? 0,
    lastModified: card.lastModified ?? '2025-01-01T00:00:00.000Z',
    gated: card.gated ?? false,
    private: false,
    tags: ['gguf'],
    library_name: 'gguf'
  };
  const fields = expand.length > 0 ? expand : ['downloads', 'likes', 'private', 'tags', 'library_name'];
  return { _id: `id-${id}`, id, ...Object.fromEntries(fields.filter((field) => field in full).map((field) => [field, full[field]])) };
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): true {
  response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
  return true;
}

/**
 * The Hub's search (`/api/models?search=&filter=gguf&sort=&direction=-1&limit=&expand=`), a repository's card
 * (`/api/models/{owner}/{name}`), and a gated repository's refusal of its files without the token (401 with
 * `X-Error-Code: GatedRepo`, as huggingface_hub's hf_raise_for_status reads it). Returns whether it answered;
 * the file list and the files themselves are the file server's.
 */
export function answerHubApi(request: IncomingMessage, response: ServerResponse, files: Record<string, Buffer>, cards: Record<string, HubRepoCard>): boolean {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const path = decodeURIComponent(url.pathname);
  const expand = url.searchParams.getAll('expand');
  if (path === '/api/models') {
    const search = (url.searchParams.get('search') ?? '').toLowerCase();
    const sort = url.searchParams.get('sort');
    const descending = url.searchParams.get('direction') === '-1';
    const key = (id: string) => {
      const card = cards[id] ?? {};
      return sort === 'likes' ? (card.likes ?? 0) : sort === 'lastModified' ? Date.parse(card.lastModified ?? '2025-01-01') : (card.downloads ?? 0);
    };
    const found = repositories(files)
      .filter((id) => id.toLowerCase().includes(search))
      .sort((a, b) => (descending ? key(b) - key(a) : key(a) - key(b)))
      .slice(0, Number(url.searchParams.get('limit') ?? 1000));
    return json(response, 200, found.map((id) => modelInfo(id, cards[id] ?? {}, expand)));
  }
  const card = /^\/api\/models\/([^/]+\/[^/]+)$/.exec(path);
  if (card) {
    if (!repositories(files).includes(card[1])) return json(response, 404, { error: 'Repository not found' }, { 'X-Error-Code': 'RepoNotFound' });
    return json(response, 200, modelInfo(card[1], cards[card[1]] ?? {}, expand));
  }
  const file = /^\/([^/]+\/[^/]+)\/resolve\/main\//.exec(path);
  const gated = file ? cards[file[1]] : undefined;
  if (file && gated?.gated && request.headers.authorization !== `Bearer ${gated.token}`) {
    return json(response, 401, { error: `Access to model ${file[1]} is restricted. You must have access to it and be authenticated to access it. Please log in.` }, { 'X-Error-Code': 'GatedRepo' });
  }
  return false;
}
