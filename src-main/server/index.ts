export { startHttpServer, type RunningServer } from './http';
export { contentSecurityPolicy, cspDirectives } from './csp';
export { startOpenAiServer, openAiDefaults } from './openai';
export { staticAnswer, type StaticAnswer } from './static';
