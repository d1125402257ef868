export { startHttpServer, isLoopbackHost, defaultMaxBodyBytes, type HttpServerOptions, type RunningServer } from './http';
export { contentSecurityPolicy, cspDirectives, type CspDirectives } from './csp';
