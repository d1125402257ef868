/**
 * The data that crosses the API: what methods take and return and what events carry, one module per
 * concern. Pure (no Node, no DOM): the renderer and the preload bundle it too. The methods themselves
 * are in contract.ts.
 */
export * from './settings';
export { grammarSchemaOf, type GrammarSchema } from './jsonSchema';
export * from './conversations';
export * from './models';
export * from './hardware';
export * from './measurement';
export * from './connections';
export * from './updates';
export * from './hub';
