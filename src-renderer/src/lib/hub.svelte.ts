import type { HubRepositoryFiles, HubSearchResult, HubSort } from '$api/contract';
import { ApiClientError, type HearthApi } from './api';

export const hubSortLabels: Record<HubSort, string> = { downloads: 'Most downloaded', likes: 'Most liked', recent: 'Recently updated' };

/**
 * The Hub search in the Models view: the text and order asked for, the repositories found, and the one
 * repository opened with its files (fitted at the context the view's what-if controls hold). Answers that
 * arrive after a newer question are dropped.
 */
export class HubState {
  query = $state('');
  sort = $state<HubSort>('downloads');
  result = $state<HubSearchResult | null>(null);
  searching = $state(false);
  /** Why the last search failed (offline, the Hub unreachable). */
  problem = $state<string | null>(null);
  /** The repository whose files are shown, and those files once they arrive. */
  opened = $state<string | null>(null);
  files = $state<HubRepositoryFiles | null>(null);
  loadingFiles = $state(false);
  filesProblem = $state<string | null>(null);

  private searchSeq = 0;
  private filesSeq = 0;

  constructor(private readonly api: HearthApi) {}

  async search(): Promise<void> {
    const query = this.query.trim();
    if (!query) {
      this.problem = 'Type part of a model or publisher name, e.g. qwen3 or bartowski.';
      return;
    }
    const seq = ++this.searchSeq;
    this.searching = true;
    this.problem = null;
    try {
      const result = await this.api.call('hub.search', { query, sort: this.sort });
      if (seq === this.searchSeq) {
        this.result = result;
        this.close();
      }
    } catch (error) {
      if (seq === this.searchSeq) this.problem = ApiClientError.from(error).message;
    } finally {
      if (seq === this.searchSeq) this.searching = false;
    }
  }

  /** Opens a repository's files (closing the one open), or closes it when it is the one open. */
  async toggle(repo: string, contextSize: number): Promise<void> {
    if (this.opened === repo) {
      this.close();
      return;
    }
    const seq = ++this.filesSeq;
    this.opened = repo;
    this.files = null;
    this.filesProblem = null;
    this.loadingFiles = true;
    try {
      const files = await this.api.call('hub.files', { repo, contextSize });
      if (seq === this.filesSeq) this.files = files;
    } catch (error) {
      if (seq === this.filesSeq) this.filesProblem = ApiClientError.from(error).message;
    } finally {
      if (seq === this.filesSeq) this.loadingFiles = false;
    }
  }

  close(): void {
    this.filesSeq++;
    this.opened = null;
    this.files = null;
    this.filesProblem = null;
    this.loadingFiles = false;
  }
}
