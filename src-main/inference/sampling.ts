import { TokenBias, type LlamaModel, type Token } from 'node-llama-cpp';
import type { GenerationSettings } from '../api';

/**
 * Every sampling option is passed explicitly, so what the UI shows is exactly what runs: left unset,
 * node-llama-cpp would apply its own repeat penalty (1.1 over the last 64 tokens). Stop strings are not
 * among them: Hearth matches them on the text (stop.ts).
 */
export function toLlamaSampling(settings: GenerationSettings) {
  const penalised = settings.repeatPenalty > 1 || settings.presencePenalty !== 0 || settings.frequencyPenalty !== 0;
  return {
    temperature: settings.temperature,
    topK: settings.topK,
    topP: settings.topP,
    minP: settings.minP,
    maxTokens: settings.maxTokens,
    ...(settings.seed === null ? {} : { seed: settings.seed }),
    repeatPenalty: penalised
      ? {
          penalty: settings.repeatPenalty,
          presencePenalty: settings.presencePenalty,
          frequencyPenalty: settings.frequencyPenalty,
          lastTokens: settings.repeatLastTokens,
          penalizeNewLine: false
        }
      : (false as const)
  };
}

const endTokensByModel = new WeakMap<LlamaModel, Token[]>();

/** Every token llama.cpp treats as an end of generation (EOS, end of turn, ...), found once per model. */
export function endOfGenerationTokens(model: LlamaModel): Token[] {
  let tokens = endTokensByModel.get(model);
  if (!tokens) {
    tokens = [];
    const vocabulary = model.fileInfo.metadata.tokenizer?.ggml?.tokens?.length ?? 0;
    for (let id = 0; id < vocabulary; id++) if (model.isEogToken(id as Token)) tokens.push(id as Token);
    endTokensByModel.set(model, tokens);
  }
  return tokens;
}

/** With "stop at end-of-sequence" off, no end-of-generation token is ever sampled (llama.cpp's --ignore-eos). */
export function endOfSequenceBias(model: LlamaModel, settings: GenerationSettings): TokenBias | undefined {
  if (settings.stopAtEos) return undefined;
  const bias = new TokenBias(model.tokenizer);
  for (const token of endOfGenerationTokens(model)) bias.set(token, 'never');
  return bias;
}
