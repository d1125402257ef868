export * from './contract';
export * from './errors';
export * from './format';
export { createRouter, type Handlers, type Router } from './router';
export { EventBus } from './events';
export * from './distribution';
export * from './cost';
