import type { LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import { nextTokenDistribution } from './evaluate';
import { firstStop } from './stop';

export interface BeamRequest {
  promptTokens: Token[];
  width: number;
  maxTokens: number;
  /** Scores are log-probability ÷ length^lengthPenalty. */
  lengthPenalty: number;
  stopAtEos: boolean;
  stop: string[];
  signal: AbortSignal;
  /** Called after each step with the best hypothesis so far. */
  onStep?: (best: Token[]) => void;
}

export interface BeamResult {
  tokens: Token[];
  text: string;
  logProbability: number;
  finishedBy: 'eos' | 'stopSequence' | 'maxTokens' | 'abort';
  stopSequence: string | null;
}

interface Hypothesis {
  tokens: Token[];
  logProbability: number;
  finished: BeamResult['finishedBy'] | null;
  stopSequence: string | null;
  /** Which sequence holds (most of) this hypothesis's state. */
  slot: number;
}

function score(hypothesis: Hypothesis, lengthPenalty: number): number {
  return hypothesis.logProbability / Math.pow(Math.max(1, hypothesis.tokens.length), lengthPenalty);
}

/**
 * Deterministic beam search on node-llama-cpp's public evaluation API: one context sequence per beam,
 * each step reads every live beam's next-token probabilities (`controlledEvaluate`) and keeps the
 * `width` best continuations. Width 1 is greedy decoding.
 */
export async function beamSearch(model: LlamaModel, sequences: LlamaContextSequence[], request: BeamRequest): Promise<BeamResult> {
  const width = Math.min(request.width, sequences.length);
  let beams: Hypothesis[] = [{ tokens: [], logProbability: 0, finished: null, stopSequence: null, slot: 0 }];
  const textOf = (tokens: Token[]) => model.detokenize(tokens);

  for (let step = 0; step < request.maxTokens && beams.some((beam) => !beam.finished); step++) {
    if (request.signal.aborted) return finish(beams, 'abort');
    const expansions = await Promise.all(
      beams.map(async (beam) => {
        if (beam.finished) return [beam];
        const { probabilities } = await nextTokenDistribution(sequences[beam.slot], [...request.promptTokens, ...beam.tokens]);
        const children: Hypothesis[] = [];
        for (const [token, probability] of probabilities) {
          if (children.length === width) break;
          const endsSequence = model.isEogToken(token);
          if (endsSequence && !request.stopAtEos) continue;
          const tokens = endsSequence ? beam.tokens : [...beam.tokens, token];
          const stopSequence = endsSequence ? null : (firstStop(textOf(tokens), request.stop)?.stop ?? null);
          children.push({
            tokens,
            logProbability: beam.logProbability + Math.log(probability),
            finished: endsSequence ? 'eos' : stopSequence ? 'stopSequence' : null,
            stopSequence,
            slot: beam.slot
          });
        }
        return children;
      })
    );
    const ranked = expansions.flat().sort((a, b) => score(b, request.lengthPenalty) - score(a, request.lengthPenalty));
    beams = assignSlots(ranked.slice(0, width), width);
    request.onStep?.(beams[0].tokens);
  }
  return finish(beams, 'maxTokens');

  function finish(hypotheses: Hypothesis[], unfinished: 'maxTokens' | 'abort'): BeamResult {
    const best = [...hypotheses].sort((a, b) => score(b, request.lengthPenalty) - score(a, request.lengthPenalty))[0];
    let text = textOf(best.tokens);
    const stop = firstStop(text, request.stop);
    if (best.stopSequence && stop) text = text.slice(0, stop.index);
    return { tokens: best.tokens, text, logProbability: best.logProbability, finishedBy: best.finished ?? unfinished, stopSequence: best.stopSequence };
  }
}

/** Each kept hypothesis continues in its parent's sequence when it is the first child there; the others take free ones. */
function assignSlots(kept: Hypothesis[], width: number): Hypothesis[] {
  const taken = new Set<number>();
  const placed = kept.map((hypothesis) => {
    if (taken.has(hypothesis.slot)) return { ...hypothesis, slot: -1 };
    taken.add(hypothesis.slot);
    return hypothesis;
  });
  const free = Array.from({ length: width }, (_, slot) => slot).filter((slot) => !taken.has(slot));
  return placed.map((hypothesis) => (hypothesis.slot === -1 ? { ...hypothesis, slot: free.shift()! } : hypothesis));
}
