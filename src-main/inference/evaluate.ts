import type { LlamaContextSequence, Token } from 'node-llama-cpp';

/** The model's own distribution: temperature 1 and no cut-offs. */
const unshaped = { temperature: 1, topK: 0, topP: 1, minP: 0 };

export interface SamplingChoice {
  temperature: number;
  topK: number;
  topP: number;
  minP: number;
  seed: number | null;
}

/**
 * Brings the sequence's state to exactly `tokens`, reusing the prefix it already holds, and returns
 * the next-token probabilities (most likely first). With `sample`, also the token llama.cpp picks
 * with those settings.
 */
export async function nextTokenDistribution(
  sequence: LlamaContextSequence,
  tokens: Token[],
  sample?: SamplingChoice
): Promise<{ probabilities: Map<Token, number>; sampled: Token | null }> {
  if (tokens.length === 0) throw new Error('The prompt has no tokens.');
  // The last token is always evaluated again: its output is what carries the next-token probabilities.
  const keep = Math.min(sequence.compareContextTokens(tokens).firstDifferentIndex, tokens.length - 1);
  if (keep < sequence.nextTokenIndex) await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);
  const rest = tokens.slice(keep, -1);
  const last = tokens[tokens.length - 1];
  const results = await sequence.controlledEvaluate([...rest, [last, { generateNext: { probabilities: true, options: unshaped } }]]);
  const probabilities = results[rest.length]?.next.probabilities;
  if (!probabilities) throw new Error('llama.cpp returned no probabilities for the next token.');
  if (!sample) return { probabilities, sampled: null };

  await sequence.eraseContextTokenRanges([{ start: tokens.length - 1, end: sequence.nextTokenIndex }]);
  const options = { temperature: sample.temperature, topK: sample.topK, topP: sample.topP, minP: sample.minP, ...(sample.seed === null ? {} : { seed: sample.seed }) };
  const sampledResult = await sequence.controlledEvaluate([[last, { generateNext: { token: true, options } }]]);
  return { probabilities, sampled: sampledResult[0]?.next.token ?? null };
}
