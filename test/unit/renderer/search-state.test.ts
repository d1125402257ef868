import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SearchHit } from '$api/contract';
import { ErrorState } from '../../../src-renderer/src/lib/errors.svelte';
import { SearchState } from '../../../src-renderer/src/lib/search.svelte';
import { FakeApi } from './fakes';

const hit = (messageId: number): SearchHit => ({ conversationId: 1, conversationTitle: 'A chat', messageId, role: 'assistant', snippet: 'text', inThought: false });

/** A search for `query` whose answer has these hits. */
async function searched(query: string, ids: number[]) {
  const api = new FakeApi();
  const search = new SearchState(api, new ErrorState());
  search.setQuery(query);
  await vi.runAllTimersAsync();
  await api.last('history.search').answer(ids.map(hit));
  return { api, search };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('choosing a search hit with the arrow keys', () => {
  it('starts with none chosen; down goes from the first, up from the last, both round the ends', async () => {
    const { search } = await searched('lily', [11, 12, 13]);
    expect(search.selectedHit).toBeNull();
    search.move(1);
    expect(search.selectedHit?.messageId).toBe(11);
    search.move(-1);
    expect(search.selectedHit?.messageId).toBe(13);
    search.move(1);
    expect(search.selectedHit?.messageId).toBe(11);

    const fresh = await searched('lily', [11, 12, 13]);
    fresh.search.move(-1);
    expect(fresh.search.selectedHit?.messageId).toBe(13);
  });

  it('keeps Home and End within the hits, and moves nothing when there are none', async () => {
    const { search } = await searched('lily', [11, 12]);
    search.select(5);
    expect(search.selectedHit?.messageId).toBe(12);
    search.select(-1);
    expect(search.selectedHit?.messageId).toBe(11);

    const none = await searched('nothing', []);
    none.search.move(1);
    none.search.select(0);
    expect(none.search.selected).toBe(-1);
  });

  it('forgets the choice when other hits arrive, and when the search is cleared', async () => {
    const { api, search } = await searched('lily', [11, 12]);
    search.move(1);
    search.setQuery('lily girl');
    await vi.runAllTimersAsync();
    await api.last('history.search').answer([hit(21), hit(22)]);
    expect(search.selectedHit).toBeNull();
    search.move(1);
    search.clear();
    expect(search.selected).toBe(-1);
  });
});
