import type { Download, DownloadStatus, FitReport } from '$api/contract';
import { ApiClientError, type HearthApi } from './api';
import { formatByteRate } from './format';
import type { EngineState } from './engine.svelte';
import type { ErrorState } from './errors.svelte';
import type { InstalledState } from './installed.svelte';
import type { ModelsState } from './models.svelte';
import type { ToastState } from './toast.svelte';

export type DownloadAction = 'pause' | 'resume' | 'cancel' | 'retry';

export const statusLabels: Record<DownloadStatus, string> = {
  queued: 'Queued',
  downloading: 'Downloading',
  paused: 'Paused',
  verifying: 'Verifying',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled'
};

/** What each status allows, in the order the buttons are shown (the server refuses the rest). */
const allowed: Record<DownloadStatus, DownloadAction[]> = {
  queued: ['pause', 'cancel'],
  downloading: ['pause', 'cancel'],
  paused: ['resume', 'cancel'],
  verifying: ['cancel'],
  completed: [],
  failed: ['retry', 'cancel'],
  cancelled: ['retry']
};

export function actionsFor(download: Download): DownloadAction[] {
  return allowed[download.status];
}

const active: DownloadStatus[] = ['queued', 'downloading', 'paused', 'verifying'];

export function isActive(download: Download): boolean {
  return active.includes(download.status);
}

/** The unfinished downloads together, for the status bar: how many, how far, how fast. */
export interface DownloadsSummary {
  /** Queued, running, paused or being verified. */
  count: number;
  /** Bytes received of the bytes expected, over those whose size is known (0–100, rounded down); null when no size is known. */
  percent: number | null;
  /** Bytes per second of those running, added up. */
  bytesPerSecond: number;
  /** "2 downloads · 45% · 1.2 MiB/s": what the indicator says. */
  text: string;
}

/** The unfinished downloads' combined figures; null when none is unfinished. */
export function downloadsSummary(items: readonly Download[]): DownloadsSummary | null {
  const unfinished = items.filter(isActive);
  if (unfinished.length === 0) return null;
  const sized = unfinished.filter((download) => download.totalBytes !== null && download.totalBytes > 0);
  const total = sized.reduce((sum, download) => sum + (download.totalBytes ?? 0), 0);
  const received = sized.reduce((sum, download) => sum + Math.min(download.receivedBytes, download.totalBytes ?? 0), 0);
  const percent = sized.length > 0 ? Math.floor((received / total) * 100) : null;
  const bytesPerSecond = unfinished.reduce((sum, download) => sum + (download.status === 'downloading' ? (download.bytesPerSecond ?? 0) : 0), 0);
  const count = unfinished.length;
  const parts = [`${count} ${count === 1 ? 'download' : 'downloads'}`, percent !== null ? `${percent}%` : null, bytesPerSecond > 0 ? formatByteRate(bytesPerSecond) : null];
  return { count, percent, bytesPerSecond, text: parts.filter(Boolean).join(' · ') };
}

/** What `downloads.inspect` said about a source: shown before the user commits to the download. */
export interface Inspection {
  source: string;
  fileName: string;
  sizeBytes: number | null;
  fit: FitReport;
}

/** The download queue (mirrors `downloads.progress` / `downloads.changed`), and the source being checked. */
export class DownloadsState {
  items = $state<Download[]>([]);
  source = $state('');
  inspection = $state<Inspection | null>(null);
  checking = $state(false);
  starting = $state(false);
  /** Why the last check or start of the typed source failed. */
  problem = $state<string | null>(null);
  /** Why a start from elsewhere (a recommendation's Download button) failed, by source. */
  startProblems = $state<Record<string, string>>({});
  /** Downloads with a button press waiting for its answer. */
  busy = $state<number[]>([]);

  private checkSeq = 0;

  constructor(
    private readonly api: HearthApi,
    private readonly engine: EngineState,
    private readonly errors: ErrorState,
    private readonly installed: InstalledState,
    private readonly models: ModelsState,
    private readonly toast: ToastState
  ) {}

  async refresh(): Promise<void> {
    try {
      const list = await this.api.call('downloads.list', {});
      // Live figures exist only in progress events: keep those of downloads that are still running.
      this.items = list.map((download) => {
        const known = this.items.find((item) => item.id === download.id);
        return known && known.status === download.status ? { ...download, bytesPerSecond: known.bytesPerSecond, etaSeconds: known.etaSeconds } : download;
      });
    } catch (error) {
      this.errors.report(error, 'Could not list the downloads');
    }
  }

  /** Applies a download from an event (in order) or from a call's answer (which may arrive after newer events). */
  apply(download: Download, fromEvent: boolean): void {
    const index = this.items.findIndex((item) => item.id === download.id);
    if (index === -1) {
      this.items = [download, ...this.items].sort((a, b) => b.id - a.id);
      if (download.status === 'completed') void this.engine.refresh();
      return;
    }
    const current = this.items[index];
    const newer = fromEvent ? download.updatedAt >= current.updatedAt : download.updatedAt > current.updatedAt;
    if (!newer) return;
    // A status event carries no live figures: keep the last ones while it is still running.
    const keepFigures = download.bytesPerSecond === null && download.status === 'downloading' && current.status === 'downloading';
    this.items[index] = keepFigures ? { ...download, bytesPerSecond: current.bytesPerSecond, etaSeconds: current.etaSeconds } : download;
    if (download.status === 'completed' && current.status !== 'completed') this.onCompleted(download);
    if (download.status === 'failed' && current.status !== 'failed') this.onFailed(download);
  }

  /** Said once, wherever the user is: the Downloads panel may not be on screen. */
  private onFailed(download: Download): void {
    this.toast.show(`Download failed: ${download.fileName}${download.error ? ` — ${download.error}` : ''}`, {
      actionLabel: 'Retry',
      action: () => this.act(download, 'retry')
    });
  }

  private onCompleted(download: Download): void {
    void this.engine.refresh();
    this.toast.show(`Downloaded ${download.fileName}`, {
      actionLabel: 'Load',
      action: async () => {
        await this.installed.load(download.fileName, { contextSize: this.models.contextSize });
      }
    });
  }

  /** A new source was typed: the previous check no longer applies. */
  setSource(source: string): void {
    this.source = source;
    if (this.inspection && this.inspection.source !== source.trim()) this.inspection = null;
    this.problem = null;
  }

  async check(contextSize: number): Promise<void> {
    const source = this.source.trim();
    if (!source) {
      this.problem = 'Type a source first: hf:owner/repo/file.gguf, hf:owner/repo:Q4_K_M, catalog:id:Q4_K_M or an https URL.';
      return;
    }
    const seq = ++this.checkSeq;
    this.checking = true;
    this.problem = null;
    this.inspection = null;
    try {
      const result = await this.api.call('downloads.inspect', { source, contextSize });
      if (seq === this.checkSeq) this.inspection = { source, ...result };
    } catch (error) {
      if (seq === this.checkSeq) this.problem = ApiClientError.from(error).message;
    } finally {
      if (seq === this.checkSeq) this.checking = false;
    }
  }

  /** Starts the checked source; clears the field when it is queued. */
  async startChecked(): Promise<boolean> {
    const inspection = this.inspection;
    if (!inspection) return false;
    this.starting = true;
    this.problem = null;
    try {
      this.apply(await this.api.call('downloads.start', { source: inspection.source }), false);
      this.source = '';
      this.inspection = null;
      return true;
    } catch (error) {
      this.problem = ApiClientError.from(error).message;
      return false;
    } finally {
      this.starting = false;
    }
  }

  /** Starts a source from elsewhere in the view; a refusal is kept for that source's own row. */
  async start(source: string): Promise<boolean> {
    const { [source]: _previous, ...others } = this.startProblems;
    this.startProblems = others;
    try {
      this.apply(await this.api.call('downloads.start', { source }), false);
      return true;
    } catch (error) {
      this.startProblems = { ...this.startProblems, [source]: ApiClientError.from(error).message };
      return false;
    }
  }

  async act(download: Download, action: DownloadAction): Promise<void> {
    this.busy = [...this.busy, download.id];
    try {
      this.apply(await this.api.call(`downloads.${action}`, { id: download.id }), false);
    } catch (error) {
      this.errors.report(error, `Could not ${action} ${download.fileName}`);
      void this.refresh();
    } finally {
      this.busy = this.busy.filter((id) => id !== download.id);
    }
  }

  /** The newest download of a file, if any. */
  forFile(fileName: string): Download | undefined {
    return this.items.find((item) => item.fileName === fileName);
  }
}
