export { startOpenAiServer, openAiDefaults, type OpenAiServerOptions } from './server';
