import { describe, expect, it } from 'vitest';
import type { Download, HubSearchResult } from '$api/contract';
import { DownloadsState, downloadsSummary } from '../../../src-renderer/src/lib/downloads.svelte';
import type { EngineState } from '../../../src-renderer/src/lib/engine.svelte';
import { ErrorState } from '../../../src-renderer/src/lib/errors.svelte';
import { HubState } from '../../../src-renderer/src/lib/hub.svelte';
import type { InstalledState } from '../../../src-renderer/src/lib/installed.svelte';
import type { ModelsState } from '../../../src-renderer/src/lib/models.svelte';
import { ToastState } from '../../../src-renderer/src/lib/toast.svelte';
import { FakeApi } from './fakes';

function download(id: number, overrides: Partial<Download> = {}): Download {
  return {
    id,
    source: `hf:org/repo/file-${id}.gguf`,
    url: `https://huggingface.co/org/repo/resolve/main/file-${id}.gguf`,
    fileName: `file-${id}.gguf`,
    totalBytes: 100,
    receivedBytes: 0,
    status: 'downloading',
    error: null,
    expectedSha256: null,
    sha256: null,
    retries: 0,
    segments: 1,
    parts: 1,
    note: null,
    bytesPerSecond: null,
    etaSeconds: null,
    createdAt: 1,
    updatedAt: 1,
    ...overrides
  };
}

describe('the status bar’s downloads indicator', () => {
  it('is absent when nothing is unfinished', () => {
    expect(downloadsSummary([download(1, { status: 'completed', receivedBytes: 100 }), download(2, { status: 'failed' })])).toBeNull();
  });

  it('adds up the unfinished ones: how many, their bytes so far of those whose size is known, and the speed of those running', () => {
    const summary = downloadsSummary([
      download(1, { receivedBytes: 50, bytesPerSecond: 300 * 1024 }),
      download(2, { status: 'paused', totalBytes: 300, receivedBytes: 0, bytesPerSecond: 999 }),
      download(3, { status: 'queued', totalBytes: null }),
      download(4, { status: 'downloading', totalBytes: null, receivedBytes: 10, bytesPerSecond: 724 * 1024 }),
      download(5, { status: 'completed', receivedBytes: 100 })
    ]);
    expect(summary).toEqual({ count: 4, percent: 12, bytesPerSecond: 1024 * 1024, text: '4 downloads · 12% · 1.0 MiB/s' });
    expect(downloadsSummary([download(1, { status: 'queued', totalBytes: null })])?.text).toBe('1 download');
  });
});

describe('a finished or failed download says so once, wherever the user is', () => {
  function store() {
    const api = new FakeApi();
    const toast = new ToastState();
    const engine = { refresh: async () => undefined } as unknown as EngineState;
    const downloads = new DownloadsState(api, engine, new ErrorState(), {} as InstalledState, { contextSize: 4096 } as ModelsState, toast);
    return { api, toast, downloads };
  }

  it('toasts a failure with its reason and a Retry, and not again for later news of the same failure', async () => {
    const { api, toast, downloads } = store();
    downloads.apply(download(1, { updatedAt: 1 }), true);
    expect(toast.current).toBeNull();
    downloads.apply(download(1, { status: 'failed', error: 'HTTP 401: gated', updatedAt: 2 }), true);
    expect(toast.current).toMatchObject({ message: 'Download failed: file-1.gguf — HTTP 401: gated', actionLabel: 'Retry' });
    toast.dismiss();
    downloads.apply(download(1, { status: 'failed', error: 'HTTP 401: gated', updatedAt: 3 }), true);
    expect(toast.current).toBeNull();

    // Retried and failed again: that is news again.
    downloads.apply(download(1, { status: 'downloading', updatedAt: 4 }), true);
    downloads.apply(download(1, { status: 'failed', error: 'stalled', updatedAt: 5 }), true);
    expect(toast.current?.message).toBe('Download failed: file-1.gguf — stalled');
    void toast.runAction();
    expect(api.last('downloads.retry').input).toEqual({ id: 1 });
  });

  it('toasts a completion once', () => {
    const { toast, downloads } = store();
    downloads.apply(download(2, { updatedAt: 1 }), true);
    downloads.apply(download(2, { status: 'completed', receivedBytes: 100, updatedAt: 2 }), true);
    expect(toast.current?.message).toBe('Downloaded file-2.gguf');
    toast.dismiss();
    downloads.apply(download(2, { status: 'completed', receivedBytes: 100, updatedAt: 3 }), true);
    expect(toast.current).toBeNull();
  });
});

describe('the Hub search store', () => {
  const answer = (query: string): HubSearchResult => ({ query, sort: 'downloads', repositories: [{ id: `org/${query}`, downloads: 1, likes: 0, lastModified: null, gated: null, access: null }] });

  it('shows the newest search only, and opens one repository at a time at the view’s context', async () => {
    const api = new FakeApi();
    const hub = new HubState(api);
    hub.query = 'first';
    const first = hub.search();
    hub.query = 'second';
    hub.sort = 'likes';
    const second = hub.search();
    expect(api.last('hub.search').input).toEqual({ query: 'second', sort: 'likes' });
    await api.callsOf('hub.search')[1].answer(answer('second'));
    await api.callsOf('hub.search')[0].answer(answer('first'));
    await Promise.all([first, second]);
    expect(hub.result?.query).toBe('second');
    expect(hub.searching).toBe(false);

    const opening = hub.toggle('org/second', 8192);
    expect(hub.opened).toBe('org/second');
    expect(api.last('hub.files').input).toEqual({ repo: 'org/second', contextSize: 8192 });
    await api.last('hub.files').fail(new Error('The Hub could not list org/second (HTTP 500).'));
    await opening;
    expect(hub.filesProblem).toBe('The Hub could not list org/second (HTTP 500).');
    await hub.toggle('org/second', 8192);
    expect(hub.opened).toBeNull();
  });

  it('asks for some text before searching', async () => {
    const api = new FakeApi();
    const hub = new HubState(api);
    await hub.search();
    expect(hub.problem).toMatch(/^Type part of a model or publisher name/);
    expect(api.calls).toEqual([]);
  });
});
