import { fileURLToPath } from 'node:url';

/**
 * `$api/<module>` for the renderer: the pure modules of the shared contract, and only those (the rest of
 * src-main/api runs in the main process). The renderer build and Vitest both resolve with it; the `paths`
 * of tsconfig.json and tsconfig.renderer.json name the same modules for the type checkers.
 */
export const rendererAlias = [
  {
    find: /^\$api\/(contract|shapes|errors|format|distribution|cost)$/,
    replacement: fileURLToPath(new URL('./src-main/api/$1.ts', import.meta.url))
  }
];
