import { hubSorts, type HubRepositoryFiles, type HubSearchResult, type HubSort, type MethodInput, type MethodName, type MethodOutput } from '../api';
import { createHearth } from '../app';
import { formatBytes } from '../catalog';
import type { HearthPaths } from '../paths';
import { fitBadge } from './report';

/** Calls one method on a Hearth over these folders (its offline switch and token apply), closing it after. */
async function callHearth<K extends MethodName>(paths: HearthPaths, name: K, input: MethodInput<K>): Promise<MethodOutput<K>> {
  const hearth = await createHearth(paths);
  try {
    const result = await hearth.router.call(name, input);
    if (!result.ok) throw new Error(result.error.message);
    return result.result as MethodOutput<K>;
  } finally {
    await hearth.close();
  }
}

function searchLines(result: HubSearchResult): string[] {
  if (result.repositories.length === 0) return [`No GGUF repositories on the Hub match "${result.query}".`];
  return result.repositories.flatMap((repository) => [
    `${repository.id}  ${repository.downloads.toLocaleString('en-US')} downloads · ${repository.likes.toLocaleString('en-US')} likes${repository.lastModified ? ` · updated ${repository.lastModified.slice(0, 10)}` : ''}`,
    ...(repository.access ? [`    ${repository.access}`] : [])
  ]);
}

function filesLines(result: HubRepositoryFiles): string[] {
  const lines = [`${result.repo}: GGUF files by quantization, fitted at ${result.contextSize.toLocaleString('en-US')} tokens of context (at most the model's own).`, result.fitBasis];
  if (result.access) lines.push(result.access);
  if (result.groups.length === 0) lines.push('No GGUF files listed.');
  for (const group of result.groups) {
    lines.push('', group.quantization ?? 'Quantization not in the name');
    for (const file of group.files) {
      lines.push(`  ${[file.fit ? fitBadge(file.fit) : null, formatBytes(file.sizeBytes), file.path].filter(Boolean).join('  ')}`);
      if (file.note) lines.push(`    ${file.note}`);
      if (file.fit) lines.push(`    ${file.fit.explanation}`);
      if (file.source) lines.push(`    hearth models pull ${file.source}`);
    }
  }
  return lines;
}

/** `hearth models search <text> [--sort downloads|likes|recent] [--json]`: GGUF repositories on the Hub. */
export async function hubSearchCommand(paths: HearthPaths, text: string | undefined, options: { json: boolean; sort: string | undefined }): Promise<void> {
  if (!text) throw new Error('hearth models search needs some text to look for, e.g. hearth models search qwen3');
  const sort = options.sort ?? 'downloads';
  if (!hubSorts.includes(sort as HubSort)) throw new Error(`--sort must be one of ${hubSorts.join(', ')}`);
  const result = await callHearth(paths, 'hub.search', { query: text, sort: sort as HubSort });
  console.log(options.json ? JSON.stringify(result, null, 2) : searchLines(result).join('\n'));
}

/** `hearth models files <owner/repo> [--context N] [--json]`: a repository's GGUF files by quantization, each fitted here. */
export async function hubFilesCommand(paths: HearthPaths, repo: string | undefined, options: { json: boolean; contextSize: number | undefined }): Promise<void> {
  if (!repo) throw new Error('hearth models files needs a repository, owner/name (see hearth models search)');
  const result = await callHearth(paths, 'hub.files', { repo, contextSize: options.contextSize });
  console.log(options.json ? JSON.stringify(result, null, 2) : filesLines(result).join('\n'));
}
