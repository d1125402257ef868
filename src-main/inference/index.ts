export {
  InferenceEngine,
  gpuFromEnv,
  defaultMaxContextSize,
  defaultContextSize,
  type DraftingRequest,
  type EngineOptions,
  type LoadedSession,
  type LoadOptions
} from './engine';
export { generateReply, type Reply, type ReplyRequest } from './generate';
export { basePrompt, chatHistory, fitPrompt, plainTextTokens, promptTokens, replyReserve, type Turn, type FittedPrompt } from './prompt';
export { ReplyClock, decodeRate, percentile, histogram } from './metrics';
export { resolvePromptFormat, chosenPromptFormat, baseModelFormatName, customJinjaFormatName, type PromptFormat } from './template';
export { chooseThreads, threadsFromEnv, singleThreadModelBytes } from './threads';
export { toLlamaSampling, endOfSequenceBias, endOfGenerationTokens } from './sampling';
export { nextTokenDistribution, type SamplingChoice } from './evaluate';
export { beamSearch, type BeamRequest, type BeamResult } from './beam';
