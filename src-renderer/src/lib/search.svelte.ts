import type { SearchHit } from '$api/contract';
import type { HearthApi } from './api';
import type { ErrorState } from './errors.svelte';

const debounceMs = 200;

/** Full-text search over the history (`history.search`), debounced as the user types. */
export class SearchState {
  query = $state('');
  hits = $state<SearchHit[]>([]);
  searching = $state(false);
  /** The query the current hits answer. */
  answered = $state('');
  active = $derived(this.query.trim().length > 0);
  /** The hit chosen with the arrow keys, an index into `hits` (-1: none); Enter opens it. */
  selected = $state(-1);
  selectedHit = $derived(this.hits[this.selected] ?? null);

  private timer: ReturnType<typeof setTimeout> | null = null;
  private generation = 0;

  constructor(
    private readonly api: HearthApi,
    private readonly errors: ErrorState
  ) {}

  setQuery(query: string): void {
    this.query = query;
    if (this.timer) clearTimeout(this.timer);
    const trimmed = query.trim();
    if (!trimmed) {
      this.generation++;
      this.hits = [];
      this.selected = -1;
      this.answered = '';
      this.searching = false;
      return;
    }
    this.searching = true;
    this.timer = setTimeout(() => void this.run(trimmed), debounceMs);
  }

  clear(): void {
    this.setQuery('');
  }

  /** Chooses the next (`step` 1) or previous (-1) hit, round from either end; the first step from none goes to an end. */
  move(step: 1 | -1): void {
    const count = this.hits.length;
    if (count === 0) return;
    this.selected = this.selected < 0 ? (step > 0 ? 0 : count - 1) : (this.selected + step + count) % count;
  }

  select(index: number): void {
    if (this.hits.length > 0) this.selected = Math.min(Math.max(index, 0), this.hits.length - 1);
  }

  private async run(query: string): Promise<void> {
    const generation = ++this.generation;
    try {
      const hits = await this.api.call('history.search', { query, limit: 50 });
      if (generation !== this.generation) return;
      this.hits = hits;
      this.selected = -1;
      this.answered = query;
    } catch (error) {
      if (generation === this.generation) this.errors.report(error, 'Search failed');
    } finally {
      if (generation === this.generation) this.searching = false;
    }
  }
}
