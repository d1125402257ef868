import type { SamplingSettings } from '../api';

/**
 * Every sampling option is passed explicitly, so what the UI shows is exactly what runs: left unset,
 * node-llama-cpp would apply its own repeat penalty (1.1 over the last 64 tokens).
 */
export function toLlamaSampling(settings: SamplingSettings) {
  return {
    temperature: settings.temperature,
    topK: settings.topK,
    topP: settings.topP,
    minP: settings.minP,
    maxTokens: settings.maxTokens,
    ...(settings.seed === null ? {} : { seed: settings.seed }),
    repeatPenalty: settings.repeatPenalty > 1 ? { penalty: settings.repeatPenalty, lastTokens: 64 } : (false as const)
  };
}
