import {
  defaultMinTokensPerSecond,
  type HardwareReport,
  type KvCacheTypeName,
  type Recommendation,
  type RecommendPriority
} from '$api/contract';
import type { HearthApi } from './api';
import { debouncer } from './debounce';
import type { ErrorState } from './errors.svelte';

/** The context lengths the what-if slider steps through. */
export const contextSteps = [2048, 4096, 8192, 16384, 32768, 65536, 131072] as const;
export const defaultContextSize = 8192;

export interface WhatIf {
  contextSize: number;
  kvCacheType: KvCacheTypeName;
  priority: RecommendPriority;
  /** The usable-speed floor (tok/s): slower picks are flagged and ranked after usable ones; 0 turns it off. */
  minTokensPerSecond: number;
}

/** The floor is a preference of this browser profile, kept across sessions like the demo notice. */
const floorKey = 'hearth.minTokensPerSecond';

function storedFloor(): number {
  const stored = Number(globalThis.localStorage?.getItem(floorKey) ?? NaN);
  return Number.isFinite(stored) && stored >= 0 ? stored : defaultMinTokensPerSecond;
}

/** The Models view's machine report, what-if settings and the recommender's answer. */
export class ModelsState {
  hardware = $state<HardwareReport | null>(null);
  probing = $state(false);
  contextSize = $state<number>(defaultContextSize);
  kvCacheType = $state<KvCacheTypeName>('f16');
  priority = $state<RecommendPriority>('balanced');
  minTokensPerSecond = $state<number>(storedFloor());
  recommendations = $state<Recommendation[]>([]);
  /** Set when nothing fits here: the advice to run models on another machine (Settings → Remote engines). */
  remoteSuggestion = $state<string | null>(null);
  /** The settings the shown recommendations were computed for (null before the first answer). */
  shownFor = $state<WhatIf | null>(null);
  recommending = $state(false);
  /** Catalog models whose row is expanded to the per-model what-if. */
  expanded = $state<string[]>([]);

  /** The server ranks too-large models last already; keep them last whatever it does. */
  ordered = $derived(
    this.recommendations
      .map((recommendation, index) => ({ recommendation, index }))
      .sort((a, b) => (a.recommendation.fit.fitClass === 'too-large' ? 1 : 0) - (b.recommendation.fit.fitClass === 'too-large' ? 1 : 0) || a.index - b.index)
      .map((entry) => entry.recommendation)
  );

  private recommendSeq = 0;
  private readonly debounce = debouncer(150);

  constructor(
    private readonly api: HearthApi,
    private readonly errors: ErrorState
  ) {}

  /** Loads what the view needs the first time it opens; later openings only refresh the ranking. */
  start(): void {
    if (!this.hardware) void this.probe(false);
    void this.recommend();
  }

  async probe(refresh: boolean): Promise<void> {
    this.probing = true;
    try {
      this.hardware = await this.api.call('hardware.probe', { refresh });
    } catch (error) {
      this.errors.report(error, 'Could not read this machine’s hardware');
    } finally {
      this.probing = false;
    }
    if (refresh) void this.recommend();
  }

  /** Changes a what-if setting and re-ranks shortly after the last change. */
  update(change: Partial<WhatIf>): void {
    if (change.contextSize !== undefined) this.contextSize = change.contextSize;
    if (change.kvCacheType !== undefined) this.kvCacheType = change.kvCacheType;
    if (change.priority !== undefined) this.priority = change.priority;
    if (change.minTokensPerSecond !== undefined && Number.isFinite(change.minTokensPerSecond) && change.minTokensPerSecond >= 0) {
      this.minTokensPerSecond = change.minTokensPerSecond;
      globalThis.localStorage?.setItem(floorKey, String(change.minTokensPerSecond));
    }
    this.recommending = true;
    this.debounce.schedule(() => void this.recommend());
  }

  async recommend(): Promise<void> {
    this.debounce.cancel();
    const seq = ++this.recommendSeq;
    const request: WhatIf = { contextSize: this.contextSize, kvCacheType: this.kvCacheType, priority: this.priority, minTokensPerSecond: this.minTokensPerSecond };
    this.recommending = true;
    try {
      const result = await this.api.call('catalog.recommend', request);
      if (seq !== this.recommendSeq) return;
      this.recommendations = result.recommendations;
      this.remoteSuggestion = result.remoteSuggestion;
      this.hardware = result.hardware;
      this.shownFor = request;
    } catch (error) {
      if (seq === this.recommendSeq) this.errors.report(error, 'Could not rank the catalog');
    } finally {
      if (seq === this.recommendSeq) this.recommending = false;
    }
  }

  isExpanded(modelId: string): boolean {
    return this.expanded.includes(modelId);
  }

  toggle(modelId: string): void {
    this.expanded = this.isExpanded(modelId) ? this.expanded.filter((id) => id !== modelId) : [...this.expanded, modelId];
  }
}
