import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ApiError, type ModelFile } from '../api';
import { demoModelFileName } from './demoModel';
import { readGgufHeader, summarizeGguf } from './gguf';

const ggufExtension = /\.gguf$/i;

/** Every .gguf under the models folder (one level of sub-folders deep), each with what its header says. */
export async function listModels(modelsDir: string): Promise<ModelFile[]> {
  const files = await findGgufFiles(modelsDir, 2);
  const models = await Promise.all(files.map((file) => describeModel(modelsDir, file)));
  return models.sort((a, b) => a.name.localeCompare(b.name));
}

async function findGgufFiles(dir: string, depth: number): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && depth > 1) found.push(...(await findGgufFiles(path, depth - 1)));
    else if ((entry.isFile() || entry.isSymbolicLink()) && ggufExtension.test(entry.name)) found.push(path);
  }
  return found;
}

async function describeModel(modelsDir: string, path: string): Promise<ModelFile> {
  const name = relative(modelsDir, path).split(sep).join('/');
  const sizeBytes = await stat(path).then((s) => s.size, () => 0);
  try {
    const { architecture, quantization, hasChatTemplate } = summarizeGguf(await readGgufHeader(path));
    return { name, path, sizeBytes, usable: true, problem: null, architecture, quantization, hasChatTemplate, demo: name === demoModelFileName };
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    return { name, path, sizeBytes, usable: false, problem, architecture: null, quantization: null, hasChatTemplate: false, demo: false };
  }
}

/** A model is named relative to the models folder; a name that escapes it is refused. */
export async function resolveModelFile(modelsDir: string, name: string): Promise<string> {
  const root = resolve(modelsDir);
  const path = resolve(root, name);
  const inside = relative(root, path);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new ApiError('FORBIDDEN', `A model must be inside the models folder (${root}); "${name}" is not.`);
  }
  if (!ggufExtension.test(path)) throw new ApiError('MODEL_INVALID', `"${name}" is not a .gguf file.`);
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw new ApiError('MODEL_NOT_FOUND', `No model file "${name}" in ${root}.`);
  return path;
}
