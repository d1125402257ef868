/**
 * How llama.cpp's sampler chain (as node-llama-cpp builds it) reshapes the next-token distribution:
 * top-k, then top-p, then min-p on the model's probabilities, then temperature over what is left.
 * Pure, so the token inspector redraws it as the sliders move.
 */
export interface Cutoffs {
  temperature: number;
  topK: number;
  topP: number;
  minP: number;
}

export type CutBy = 'topK' | 'topP' | 'minP' | 'temperature' | null;

export interface ReshapedCandidate {
  /** The model's probability, renormalised over the candidates given. */
  before: number;
  /** The probability of being sampled with the cut-offs; 0 when cut. */
  after: number;
  /** The first stage that removed the candidate, or null when it stays. */
  cutBy: CutBy;
}

/** `probabilities` must be sorted from most to least likely (as node-llama-cpp returns them). */
export function reshapeDistribution(probabilities: readonly number[], cutoffs: Cutoffs): ReshapedCandidate[] {
  const total = probabilities.reduce((sum, p) => sum + p, 0) || 1;
  const before = probabilities.map((p) => p / total);
  const cutBy: CutBy[] = before.map(() => null);
  const alive = () => before.flatMap((_, index) => (cutBy[index] === null ? [index] : []));

  if (cutoffs.topK > 0) for (const index of alive().slice(cutoffs.topK)) cutBy[index] = 'topK';

  if (cutoffs.topP < 1) {
    const kept = alive();
    const mass = kept.reduce((sum, index) => sum + before[index], 0);
    let cumulative = 0;
    for (const index of kept) {
      if (cumulative >= cutoffs.topP) cutBy[index] = 'topP';
      cumulative += before[index] / mass;
    }
  }

  if (cutoffs.minP > 0) {
    const kept = alive();
    const threshold = before[kept[0]] * cutoffs.minP;
    for (const index of kept.slice(1)) if (before[index] < threshold) cutBy[index] = 'minP';
  }

  const kept = alive();
  // Temperature 0 is greedy decoding: only the most likely token remains.
  if (cutoffs.temperature <= 0) for (const index of kept.slice(1)) cutBy[index] = 'temperature';
  const weights = before.map((p, index) => (cutBy[index] === null ? (cutoffs.temperature <= 0 ? 1 : Math.pow(p, 1 / cutoffs.temperature)) : 0));
  const weightTotal = weights.reduce((sum, w) => sum + w, 0) || 1;
  return before.map((p, index) => ({ before: p, after: weights[index] / weightTotal, cutBy: cutBy[index] }));
}
