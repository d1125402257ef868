import { defaultGenerationSettings, nextTokenCandidates, type NextTokensResult, type TokenCandidate, type TokenPiece } from '$api/contract';
import { reshapeDistribution, type CutBy, type Cutoffs, type ReshapedCandidate } from '$api/distribution';
import { ApiClientError, type HearthApi } from './api';
import { debouncer } from './debounce';

/** More candidates are fetched (`nextTokenCandidates`) than shown, so top-k and top-p act on a realistic tail, not only on what is on screen. */
export const shownCandidates = 20;

export const cutLabels: Record<Exclude<CutBy, null>, string> = {
  topK: 'top-k',
  topP: 'top-p',
  minP: 'min-p',
  temperature: 'temperature 0'
};

/** A failed inspection, worded for the panel it shows in (the panels show failures themselves, not the banner). */
function describeFailure(error: unknown): string {
  const failure = ApiClientError.from(error);
  if (failure.code === 'NO_MODEL') return 'No model is loaded. Choose one above: tokens belong to a model.';
  return failure.message;
}

/**
 * A token as the Playground shows it: a byte-fallback token as llama.cpp names it (`<0xF0>`), since its
 * text is only part of a character; other tokens with spaces, tabs and line breaks drawn visibly, so the
 * token boundaries around them can be seen.
 */
export function tokenLabel(token: TokenPiece): string {
  if (token.byte !== undefined) return `<0x${token.byte.toString(16).toUpperCase().padStart(2, '0')}>`;
  // A piece of a multi-byte character that is not a byte token (a byte-level BPE's) has no text of its own.
  if (token.text === '') return '∅';
  return token.text.replaceAll(' ', '·').replaceAll('\n', '↵').replaceAll('\t', '→').replaceAll('\r', '␍');
}

/** A probability as a percentage; tiny ones are not rounded down to a misleading 0. */
export function formatProbability(probability: number): string {
  if (probability > 0 && probability < 0.001) return '<0.1%';
  return `${(probability * 100).toFixed(1)}%`;
}

/** The tokenizer panel: the text as typed, and its tokens once the debounced call answers. */
export class TokenizerState {
  text = $state('');
  tokens = $state<TokenPiece[]>([]);
  /** The text `tokens` belong to: it lags `text` by the debounce. */
  tokenizedText = $state('');
  error = $state<string | null>(null);

  private seq = 0;
  private readonly debounce = debouncer(200);

  constructor(private readonly api: HearthApi) {}

  schedule(): void {
    this.debounce.schedule(() => void this.run());
  }

  async run(): Promise<void> {
    this.debounce.cancel();
    const seq = ++this.seq;
    const text = this.text;
    if (text === '') {
      this.tokens = [];
      this.tokenizedText = '';
      this.error = null;
      return;
    }
    try {
      const result = await this.api.call('inspect.tokenize', { text });
      if (seq !== this.seq) return;
      this.tokens = result.tokens;
      this.tokenizedText = text;
      this.error = null;
    } catch (error) {
      if (seq !== this.seq) return;
      this.tokens = [];
      this.error = describeFailure(error);
    }
  }

  /** Asks again for what the panel shows (its tokens belong to the model that was loaded). */
  refresh(): void {
    if (this.text !== '' || this.error) void this.run();
  }
}

export type CandidateRow = TokenCandidate & ReshapedCandidate;

/** The next-token panel: the prompt, the model's candidates for it, and the sampling cut-offs applied to them locally. */
export class NextTokensState {
  prompt = $state('');
  cutoffs = $state<Cutoffs>({
    temperature: defaultGenerationSettings.temperature,
    topK: defaultGenerationSettings.topK,
    topP: defaultGenerationSettings.topP,
    minP: defaultGenerationSettings.minP
  });
  /** Null (an empty field) samples with a fresh random seed each time. */
  seed = $state<number | null>(null);
  result = $state<NextTokensResult | null>(null);
  /** The prompt `result` answers; it differs from `prompt` once the user edits it. */
  shownFor = $state<string | null>(null);
  /** The token "Sample one" picked last. */
  sampled = $state<TokenPiece | null>(null);
  busy = $state(false);
  error = $state<string | null>(null);

  stale = $derived(this.shownFor !== null && this.shownFor !== this.prompt);

  /** Recomputed as the sliders move, without asking the model again. */
  rows = $derived.by((): CandidateRow[] => {
    const candidates = this.result?.candidates ?? [];
    const reshaped = reshapeDistribution(
      candidates.map((candidate) => candidate.probability),
      this.cutoffs
    );
    return candidates.slice(0, shownCandidates).map((candidate, index) => ({ ...candidate, ...reshaped[index] }));
  });

  private seq = 0;

  constructor(private readonly api: HearthApi) {}

  async show(): Promise<void> {
    const seq = ++this.seq;
    const prompt = this.prompt;
    this.busy = true;
    try {
      const result = await this.api.call('inspect.nextTokens', { prompt, top: nextTokenCandidates });
      if (seq !== this.seq) return;
      this.result = result;
      this.shownFor = prompt;
      this.error = null;
    } catch (error) {
      if (seq !== this.seq) return;
      this.result = null;
      this.shownFor = null;
      this.error = describeFailure(error);
    } finally {
      if (seq === this.seq) this.busy = false;
    }
  }

  /** Lets llama.cpp pick the next token with the slider settings, appends it, and shows what would follow. */
  async sampleOne(): Promise<void> {
    const seq = ++this.seq;
    const prompt = this.prompt;
    // A plain copy: $state proxies cannot cross IPC.
    const sample = { ...this.cutoffs, seed: Number.isInteger(this.seed) ? this.seed : null };
    this.busy = true;
    try {
      const { sampled } = await this.api.call('inspect.nextTokens', { prompt, top: 1, sample });
      if (seq !== this.seq) return;
      if (!sampled) throw new ApiClientError('INTERNAL', 'The model did not sample a token.');
      this.sampled = sampled;
      this.prompt = prompt + sampled.text;
    } catch (error) {
      if (seq !== this.seq) return;
      this.error = describeFailure(error);
      this.busy = false;
      return;
    }
    await this.show();
  }

  /** Greedy decoding by hand: the most likely candidate joins the prompt. */
  async appendMostLikely(): Promise<void> {
    const top = this.result?.candidates[0];
    if (!top || this.shownFor === null || this.stale) return;
    this.prompt = this.shownFor + top.text;
    await this.show();
  }

  /** Asks again for what the panel shows (its candidates belong to the model that was loaded). */
  refresh(): void {
    if (this.shownFor !== null || this.error) void this.show();
  }
}
