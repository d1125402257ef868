import type { QualityRating, QualityWords } from '../api';
import type { Catalog } from './catalog';

/** The model llama.cpp's quantization table was measured on (quantize.cpp's "+X ppl @ Llama-3-8B"). */
const measuredModel = /^([^\s(]+)/;

function wordsFor(quantization: string, perplexityIncrease: number | null): QualityWords {
  if (quantization === 'F16' || quantization === 'BF16' || quantization === 'F32') return 'original precision';
  if (perplexityIncrease === null) return 'not measured';
  if (perplexityIncrease < 0.05) return 'near-lossless';
  if (perplexityIncrease < 0.3) return 'small loss';
  if (perplexityIncrease < 1) return 'noticeable loss';
  return 'large loss';
}

/**
 * How much quality a quantization costs, in words, from llama.cpp's perplexity table. The table was
 * measured on one model (Llama-3-8B for the k-quants): the words carry over as a rule of thumb, the
 * figure does not, so `detail` names the model it belongs to and says this one was not measured.
 */
export function qualityOf(catalog: Catalog, quantization: string, modelName: string): QualityRating {
  const fact = catalog.quantizations.find((entry) => entry.quantization === quantization);
  const words = wordsFor(quantization, fact?.perplexityIncrease ?? null);
  if (!fact || fact.perplexityIncrease === null) {
    const why = fact ? `llama.cpp publishes no perplexity figure for ${quantization} (${fact.source})` : `llama.cpp's table has no entry for ${quantization}`;
    return { words, detail: `${why}.` };
  }
  const onModel = measuredModel.exec(fact.baseline)?.[1] ?? 'another model';
  const sign = fact.perplexityIncrease >= 0 ? '+' : '';
  const mentionsThisModel = modelName.toLowerCase().replace(/[\s.]/g, '-').startsWith(onModel.toLowerCase());
  return {
    words,
    detail:
      `${quantization}: ${sign}${fact.perplexityIncrease} perplexity over F16, measured on ${fact.baseline}` +
      `${mentionsThisModel ? '' : `; not measured on ${modelName}, where the loss is typically of the same order`}. Source: ${fact.source}.`
  };
}
