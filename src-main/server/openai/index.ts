export { startOpenAiServer, openAiDefaults, type OpenAiBackend, type OpenAiServerOptions, type GenerationJob } from './server';
