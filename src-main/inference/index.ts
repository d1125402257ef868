export { InferenceEngine, gpuFromEnv, defaultMaxContextSize, defaultContextSize, type EngineOptions, type LoadedSession, type LoadOptions } from './engine';
export { generateReply, basePrompt, chatHistory, type Reply, type ReplyRequest, type Turn } from './generate';
export { ReplyClock, decodeRate } from './metrics';
export { resolvePromptFormat, baseModelFormatName, type PromptFormat } from './template';
export { chooseThreads, threadsFromEnv, singleThreadModelBytes } from './threads';
export { toLlamaSampling } from './sampling';
