/**
 * The layering DESIGN.md describes, as a check over source text: imports are read with the TypeScript
 * compiler API (static and type imports, `export … from`, dynamic `import()`), resolved to files, and
 * judged by the rules below. Pure: it takes the files as a map, so a test can plant violations.
 */
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';

/** Which top-level folders of src-main each may import (besides itself). Shells may use services directly. */
export const allowedDependencies: Record<string, readonly string[]> = {
  api: [],
  paths: [],
  hardware: ['api'],
  network: ['api'],
  history: ['api', 'paths'],
  catalog: ['api'],
  models: ['api', 'catalog', 'network'],
  inference: ['api', 'hardware', 'models'],
  remote: ['api', 'inference', 'network'],
  bench: ['api', 'catalog', 'inference', 'models'],
  app: ['api', 'paths', 'hardware', 'network', 'history', 'catalog', 'models', 'inference', 'remote', 'bench'],
  server: ['api', 'paths', 'app'],
  electron: ['api', 'paths', 'app', 'server', 'history'],
  cli: ['api', 'paths', 'app', 'server', 'electron', 'history', 'catalog', 'hardware', 'inference', 'models']
};

/** The contract's modules the renderer may import: pure, no Node, no DOM. */
export const rendererContractModules = ['contract', 'shapes', 'settings', 'conversations', 'models', 'hardware', 'measurement', 'connections', 'errors', 'format', 'distribution', 'cost', 'jsonSchema', 'updates', 'hub', 'method'].map(
  (name) => `src-main/api/${name}.ts`
);

/** Beyond this a file is telling you it holds two things. */
export const lineBudget = 300;

export interface Violation {
  rule: 'layers' | 'index-only' | 'electron' | 'renderer' | 'cycle' | 'lines';
  file: string;
  detail: string;
}

export interface ArchitectureOptions {
  /** Files over the line budget on purpose, each with the reason written down. */
  overBudget: Record<string, string>;
}

/** Import specifiers of a TypeScript module (or a Svelte component's scripts). */
export function importsOf(file: string, text: string): string[] {
  const source = file.endsWith('.svelte') ? [...text.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((match) => match[1]).join('\n') : text;
  const tree = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) found.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(tree);
  return found;
}

/** The file a relative specifier names, among `files` (extension and /index resolved as the bundler does). */
function resolveSpecifier(from: string, specifier: string, files: Map<string, string>, aliases: Record<string, string>): string | null {
  let base: string | null = null;
  for (const [alias, target] of Object.entries(aliases)) if (specifier === alias || specifier.startsWith(`${alias}/`)) base = target + specifier.slice(alias.length);
  if (base === null && specifier.startsWith('.')) base = normalize(join(dirname(from), specifier));
  if (base === null) return null;
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`, `${base}.svelte`]) if (files.has(candidate)) return candidate;
  return base;
}

/** The unit of layering a src-main file belongs to: its top-level folder, or a top-level file's name. */
function unitOf(file: string): string | null {
  const match = /^src-main\/([^/]+?)(\.ts)?(\/|$)/.exec(file);
  if (!match) return null;
  return match[1] === 'cli' || match[1] === 'cli.ts' ? 'cli' : match[1];
}

/**
 * Every rule broken by `files` (repository-relative paths → source text):
 * - layers: a src-main folder imports only the folders `allowedDependencies` lists;
 * - index-only: across folders, only a folder's `index.ts` is imported;
 * - electron: only src-main/electron/ imports `electron`;
 * - renderer: src-renderer imports from src-main only `rendererContractModules`, which import nothing but each other and zod;
 * - cycle: no file reaches itself through its imports;
 * - lines: no file over `lineBudget` lines unless `overBudget` names it with a reason.
 */
export function checkArchitecture(files: Map<string, string>, options: ArchitectureOptions, aliases: Record<string, string> = {}): Violation[] {
  const violations: Violation[] = [];
  const graph = new Map<string, string[]>();
  for (const [file, text] of files) {
    const edges: string[] = [];
    for (const specifier of importsOf(file, text)) {
      if (specifier === 'electron' && !file.startsWith('src-main/electron/')) violations.push({ rule: 'electron', file, detail: 'imports electron outside src-main/electron/' });
      const target = resolveSpecifier(file, specifier, files, aliases);
      if (target === null) continue;
      if (files.has(target)) edges.push(target);
      const [from, to] = [unitOf(file), unitOf(target)];
      if (file.startsWith('src-renderer/') && target.startsWith('src-main/') && !rendererContractModules.includes(target)) {
        violations.push({ rule: 'renderer', file, detail: `imports ${target}: the renderer may use only the contract's pure modules` });
      }
      if (rendererContractModules.includes(file) && !(rendererContractModules.includes(target) || specifier === 'zod')) {
        violations.push({ rule: 'renderer', file, detail: `imports ${target}: the renderer bundles this module, so it must stay pure` });
      }
      if (from === null || to === null || from === to || !target.startsWith('src-main/')) continue;
      if (!(allowedDependencies[from] ?? []).includes(to)) violations.push({ rule: 'layers', file, detail: `${from} may not import ${to} (${target})` });
      else if (!target.endsWith(`src-main/${to}/index.ts`) && target !== `src-main/${to}.ts`) violations.push({ rule: 'index-only', file, detail: `imports ${target}; other folders use ${to}/index.ts only` });
    }
    graph.set(file, edges);
    const lines = text.split('\n').length;
    if (lines > lineBudget && !options.overBudget[file]) violations.push({ rule: 'lines', file, detail: `${lines} lines (budget ${lineBudget})` });
  }
  for (const cycle of cyclesOf(graph)) violations.push({ rule: 'cycle', file: cycle[0], detail: cycle.join(' → ') });
  return violations;
}

/** Each import cycle once, as the files around it (first file repeated at the end). */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

/** Repository-relative path, forward slashes. */
export function repoPath(root: string, file: string): string {
  return relative(root, file).split('\\').join('/');
}
