export { startHttpServer, isLoopbackHost, defaultMaxBodyBytes, type HttpServerOptions, type RunningServer } from './http';
export { contentSecurityPolicy } from './static';
