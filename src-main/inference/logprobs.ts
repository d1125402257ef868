import type { LlamaContextSequence, LlamaModel, Token, TokenBias } from 'node-llama-cpp';
import { ApiError, reshapeDistribution, type GenerationSettings, type StopReason } from '../api';
import type { ReplyCollector } from './collector';
import { toLlamaSampling } from './sampling';
import type { PromptFormat } from './template';

/** One alternative for a position: its text, log probability (natural log, ≤ 0) and UTF-8 bytes. */
export interface TokenAlternative {
  token: string;
  logprob: number;
  bytes: number[];
}

/** A generated token with its log probability and the most likely alternatives at its position, most likely first. */
export interface TokenLogprob extends TokenAlternative {
  top: TokenAlternative[];
}

/** The model's own distribution, with Hearth's penalties and bans: the sampler's cut-offs are applied by this module. */
const unshaped = { temperature: 1, topK: 0, topP: 1, minP: 0 };

/** The candidates sampled from: the most likely ones holding all but a negligible share of the probability. */
const candidateMass = 0.99999;
const maxCandidates = 4096;

/**
 * Replies with log probabilities are generated here, token by token on node-llama-cpp's evaluation API,
 * because its chat and completion generators do not report them. The probabilities are the model's
 * distribution after the repetition penalties and token bans, before temperature, top-k, top-p and min-p
 * (so they do not depend on the temperature, as OpenAI's do not); the token is then drawn with those
 * cut-offs applied as llama.cpp orders them (api/distribution.ts), from a seeded generator when the
 * settings have a seed. What this path cannot do is refused first (see `requireLogprobsSupport`).
 */
export async function generateWithLogprobs(
  model: LlamaModel,
  sequence: LlamaContextSequence,
  options: {
    promptTokens: Token[];
    maxTokens: number;
    settings: GenerationSettings;
    tokenBias: TokenBias | undefined;
    top: number;
    collector: ReplyCollector;
    onToken: (entry: TokenLogprob) => void;
    signal: AbortSignal;
  }
): Promise<StopReason> {
  const { promptTokens, settings, collector } = options;
  const keep = Math.min(sequence.compareContextTokens(promptTokens).firstDifferentIndex, promptTokens.length - 1);
  if (keep < sequence.nextTokenIndex) await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);
  const random = seededRandom(settings.seed);
  const generated: Token[] = [];
  // The same penalties as a chat reply's: over the reply's own latest tokens.
  const { repeatPenalty: penalty } = toLlamaSampling(settings);
  const repeatPenalty = penalty ? { ...penalty, punishTokens: () => generated.slice(-penalty.lastTokens), maxPunishTokens: penalty.lastTokens } : undefined;
  const evaluation = sequence.evaluateWithMetadata(promptTokens.slice(keep), { probabilities: true }, { ...unshaped, repeatPenalty, tokenBias: options.tokenBias, yieldEogToken: true });
  let shown = '';
  let stopReason: StopReason = 'maxTokens';
  try {
    let step = await evaluation.next();
    while (!step.done) {
      if (options.signal.aborted) {
        stopReason = 'abort';
        break;
      }
      const candidates = leadingCandidates(step.value.probabilities);
      const chosen = candidates[draw(candidates.map(([, probability]) => probability), settings, random)];
      const token = chosen[0];
      const context = generated.slice(-8);
      const alternative = ([id, probability]: [Token, number]): TokenAlternative => textAndBytes(model, id, context, probability);
      options.onToken({ ...alternative(chosen), top: candidates.slice(0, options.top).map(alternative) });
      if (model.isEogToken(token)) {
        stopReason = 'eos';
        break;
      }
      generated.push(token);
      collector.answerTokens([token]);
      // Text is shown once it is whole: a token that ends inside a multi-byte character waits for the next.
      const text = model.detokenize(generated);
      if (!text.endsWith('\uFFFD')) {
        collector.answerText(text.slice(shown.length));
        shown = text;
      }
      if (collector.stopSequence !== null) {
        stopReason = 'stopSequence';
        break;
      }
      if (generated.length >= options.maxTokens) break;
      step = await evaluation.next(token);
    }
  } finally {
    await evaluation.return();
  }
  return stopReason;
}

/** Log probabilities need this token-by-token path, which has no thought segments, grammar, tools or beams. */
export function requireLogprobsSupport(format: PromptFormat, settings: GenerationSettings): void {
  const refuse = (why: string) => {
    throw new ApiError('SETTINGS_INVALID', `Log probabilities are not available ${why}.`);
  };
  if (format.thinking === 'always' || (format.thinking === 'switchable' && settings.thinking)) refuse('while a model thinks: switch thinking off (reasoning_effort "none")');
  if (settings.responseFormat.kind !== 'text') refuse('with a JSON response format');
  if (settings.beamWidth > 1) refuse('with beam search');
}

function leadingCandidates(probabilities: Map<Token, number>): [Token, number][] {
  const candidates: [Token, number][] = [];
  let mass = 0;
  for (const entry of probabilities) {
    candidates.push(entry);
    mass += entry[1];
    if (mass >= candidateMass || candidates.length >= maxCandidates) break;
  }
  return candidates;
}

/** The index drawn with the settings' cut-offs (temperature 0: the most likely). */
function draw(probabilities: number[], settings: GenerationSettings, random: () => number): number {
  const reshaped = reshapeDistribution(probabilities, settings);
  let remaining = random();
  for (let index = 0; index < reshaped.length; index++) {
    remaining -= reshaped[index].after;
    if (remaining < 0) return index;
  }
  return reshaped.findIndex((candidate) => candidate.after > 0);
}

function textAndBytes(model: LlamaModel, token: Token, context: Token[], probability: number): TokenAlternative {
  const text = model.detokenize([token], false, context);
  return { token: text, logprob: Math.log(probability), bytes: [...Buffer.from(text, 'utf8')] };
}

/** mulberry32: a small, well-distributed generator, so a seed gives the same reply every time. */
function seededRandom(seed: number | null): () => number {
  if (seed === null) return Math.random;
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
