import { interTokenBucketsMs, type MessageMetrics, type ReplySegment } from '../api';

/** What the clock measures; the rest of a reply's metrics are facts the caller knows. */
type ReplyFigure =
  | 'promptTokens'
  | 'prefillTokens'
  | 'outputTokens'
  | 'ttftMs'
  | 'prefillTokensPerSecond'
  | 'decodeTokensPerSecond'
  | 'totalMs'
  | 'interTokenP50Ms'
  | 'interTokenP95Ms'
  | 'interTokenHistogram'
  | 'thoughtTokens'
  | 'thinkingMs'
  | 'ttfaMs';

/**
 * Records the moments of one reply and turns them into its figures. Output tokens are counted from
 * the tokens actually emitted (node-llama-cpp's token meter also counts context re-evaluation), the
 * thought's and the answer's alike: decode speed is over every generated token, and time to first
 * token is the first of any kind, with the thinking time and the time to the first answer beside it.
 */
export class ReplyClock {
  private readonly startedAt: number;
  private firstTokenAt: number | null = null;
  private lastTokenAt: number | null = null;
  private firstThoughtAt: number | null = null;
  private lastThoughtAt: number | null = null;
  private firstAnswerAt: number | null = null;
  private outputTokens = 0;
  private thoughtTokens = 0;
  private promptTokens = 0;
  private prefillTokens = 0;
  private readonly gaps: number[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {
    this.startedAt = now();
  }

  /**
   * `count` tokens of `segment` just arrived. `promptTokens` is the whole prompt; `prefillTokens` the
   * part evaluated now (the rest was cached): both are read at the first token.
   */
  tokens(count: number, segment: ReplySegment = 'answer', prompt?: { promptTokens: number; prefillTokens: number }): void {
    const at = this.now();
    if (count > 0 && segment === 'thought') {
      this.firstThoughtAt ??= at;
      this.lastThoughtAt = at;
      this.thoughtTokens += count;
    } else if (count > 0) {
      this.firstAnswerAt ??= at;
    }
    if (this.firstTokenAt === null) {
      this.firstTokenAt = at;
      if (prompt) {
        this.promptTokens = prompt.promptTokens;
        this.prefillTokens = prompt.prefillTokens;
      }
    } else if (this.lastTokenAt !== null && count > 0) {
      // Tokens that arrive together (accepted drafts) share the wait that produced them.
      for (let i = 0; i < count; i++) this.gaps.push((at - this.lastTokenAt) / count);
    }
    this.lastTokenAt = at;
    this.outputTokens += count;
  }

  /** Output tokens so far, thought and answer: what a streamed delta reports. */
  get emittedTokens(): number {
    return this.outputTokens;
  }

  finish(details: Omit<MessageMetrics, ReplyFigure>): MessageMetrics {
    const totalMs = this.now() - this.startedAt;
    const ttftMs = this.firstTokenAt === null ? null : this.firstTokenAt - this.startedAt;
    // Thinking ends where the answer starts; a reply cut while thinking (or one whose only thought came
    // after its answer began) thought until its last thought token.
    const thoughtEnd = this.firstAnswerAt !== null && this.firstThoughtAt !== null && this.firstAnswerAt >= this.firstThoughtAt ? this.firstAnswerAt : this.lastThoughtAt;
    return {
      ...details,
      promptTokens: this.promptTokens,
      prefillTokens: this.prefillTokens,
      outputTokens: this.outputTokens,
      ttftMs,
      prefillTokensPerSecond: ttftMs && this.prefillTokens > 0 ? (this.prefillTokens * 1000) / ttftMs : null,
      decodeTokensPerSecond: decodeRate(this.outputTokens, this.firstTokenAt, this.lastTokenAt),
      totalMs,
      interTokenP50Ms: percentile(this.gaps, 50),
      interTokenP95Ms: percentile(this.gaps, 95),
      interTokenHistogram: histogram(this.gaps, interTokenBucketsMs),
      thoughtTokens: this.thoughtTokens,
      thinkingMs: this.firstThoughtAt === null || thoughtEnd === null ? null : thoughtEnd - this.firstThoughtAt,
      ttfaMs: this.firstAnswerAt === null ? null : this.firstAnswerAt - this.startedAt
    };
  }
}

/** Tokens after the first, over the time between the first and the last: the first token's time is prefill. */
export function decodeRate(outputTokens: number, firstTokenAt: number | null, lastTokenAt: number | null): number | null {
  if (firstTokenAt === null || lastTokenAt === null || outputTokens < 2 || lastTokenAt <= firstTokenAt) return null;
  return ((outputTokens - 1) * 1000) / (lastTokenAt - firstTokenAt);
}

/** Nearest-rank percentile (the smallest value with at least p% of the values at or below it); null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Counts per bucket: bucket i holds values up to `edges[i]`, the extra last bucket everything above. */
export function histogram(values: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const value of values) {
    const bucket = edges.findIndex((edge) => value <= edge);
    counts[bucket === -1 ? edges.length : bucket]++;
  }
  return counts;
}
