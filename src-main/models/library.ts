import type { GgufFileInfo } from 'node-llama-cpp';
import { constants } from 'node:fs';
import { copyFile, mkdir, readdir, rename, stat, symlink, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ApiError, type ModelFile } from '../api';
import { readGgufHeader, summarizeGguf } from './gguf';
import { ggmlTypeName, tensorBytes } from '../catalog';
import { fileSize } from './fileSize';

/** Hearth's built-in demo model (see demoModel.ts): the one file the library marks as the demo. */
export const demoModelFileName = 'hearth-demo.gguf';

const ggufExtension = /\.gguf$/i;
/** "model-Q4_K_M-00001-of-00003.gguf": one part of a split set. */
const splitPart = /-(\d{5})-of-(\d{5})\.gguf$/i;

/**
 * Every model under the models folder (one level of sub-folders deep), each with what its header
 * says; a split set is one model, listed by its first part. A file that is not a usable GGUF is
 * listed with the reason, never skipped and never a crash.
 */
export async function listModels(modelsDir: string): Promise<ModelFile[]> {
  const files = await findGgufFiles(modelsDir, 2);
  const sets = new Map<string, string[]>();
  for (const file of files) {
    const key = file.replace(splitPart, '.gguf');
    sets.set(key, [...(sets.get(key) ?? []), file].sort());
  }
  const models = await Promise.all([...sets.values()].map((parts) => describeSet(modelsDir, parts)));
  return models.sort((a, b) => a.name.localeCompare(b.name));
}

async function describeSet(modelsDir: string, parts: string[]): Promise<ModelFile> {
  const model = await describeModel(modelsDir, parts[0]);
  const declared = Number(splitPart.exec(parts[0])?.[2] ?? 1);
  const sizes = await Promise.all(parts.slice(1).map((part) => fileSize(part)));
  const withSize = { ...model, sizeBytes: model.sizeBytes + sizes.reduce((a, b) => a + b, 0), parts: parts.length };
  if (declared > 1 && (parts.length !== declared || !splitPart.test(parts[0]) || !/-00001-of-/.test(parts[0]))) {
    return { ...withSize, usable: false, problem: `Split set incomplete: ${parts.length} of ${declared} parts are here.` };
  }
  return withSize;
}

/** The size the header promises: where its tensor data starts plus the end of the last tensor. */
function promisedSize(info: GgufFileInfo): number | null {
  const tensors = info.tensorInfo ?? [];
  const alignment = Number((info.metadata.general as { alignment?: number } | undefined)?.alignment ?? 32);
  if (info.infoEndOffset === undefined || tensors.length === 0) return null;
  const dataStart = Math.ceil(info.infoEndOffset / alignment) * alignment;
  let end = 0;
  for (const tensor of tensors) {
    const type = ggmlTypeName(tensor.ggmlType);
    if (!type) return null;
    end = Math.max(end, Number(tensor.offset) + tensorBytes({ shape: tensor.dimensions.map(Number), type }));
  }
  return dataStart + end;
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
    // Dot-folders (.quarantine) hold what must never be loaded.
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory() && depth > 1) found.push(...(await findGgufFiles(path, depth - 1)));
    else if ((entry.isFile() || entry.isSymbolicLink()) && ggufExtension.test(entry.name)) found.push(path);
  }
  return found;
}

/** A file's header and, when the file cannot be used, why (not a readable GGUF, or shorter than its header says). */
async function inspectFile(path: string, sizeBytes: number): Promise<{ info: GgufFileInfo | null; problem: string | null }> {
  try {
    const info = await readGgufHeader(path);
    const promised = promisedSize(info);
    const problem = promised !== null && sizeBytes < promised ? `Truncated: the header describes ${promised} bytes but the file has ${sizeBytes} (an interrupted copy or download?).` : null;
    return { info, problem };
  } catch (error) {
    return { info: null, problem: error instanceof Error ? error.message : String(error) };
  }
}

async function describeModel(modelsDir: string, path: string): Promise<ModelFile> {
  const name = relative(modelsDir, path).split(sep).join('/');
  const sizeBytes = await fileSize(path);
  const { info, problem } = await inspectFile(path, sizeBytes);
  if (!info) return { name, path, sizeBytes, usable: false, problem, architecture: null, quantization: null, hasChatTemplate: false, demo: false, parts: 1 };
  const { architecture, quantization, hasChatTemplate } = summarizeGguf(info);
  return { name, path, sizeBytes, usable: problem === null, problem, architecture, quantization, hasChatTemplate, demo: name === demoModelFileName, parts: 1 };
}

/** The header of a file the library would list as usable; anything else is refused with the reason. */
export async function requireUsable(modelsDir: string, path: string): Promise<GgufFileInfo> {
  const sizeBytes = await fileSize(path);
  const { info, problem } = await inspectFile(path, sizeBytes);
  if (!info || problem) throw new ApiError('MODEL_INVALID', `${relative(modelsDir, path).split(sep).join('/')} cannot be used: ${problem}`);
  return info;
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

/**
 * Brings a GGUF from anywhere into the models folder: checked first (a file that is not a whole,
 * readable GGUF is refused), then copied under a temporary name and renamed, or linked when asked.
 */
export async function importModel(modelsDir: string, source: string, options: { link?: boolean } = {}): Promise<ModelFile> {
  const from = resolve(source);
  if (!(await stat(from).then((info) => info.isFile(), () => false))) throw new ApiError('NOT_FOUND', `There is no file at ${from}.`);
  const checked = await describeModel(dirname(from), from);
  if (!checked.usable) throw new ApiError('MODEL_INVALID', `${basename(from)} was not imported: ${checked.problem}`);
  await mkdir(modelsDir, { recursive: true });
  const target = join(modelsDir, basename(from));
  if (await stat(target).then(() => true, () => false)) throw new ApiError('VALIDATION', `${basename(from)} is already in the models folder.`);
  if (options.link) {
    await symlink(from, target);
  } else {
    const temporary = `${target}.importing`;
    await copyFile(from, temporary, constants.COPYFILE_EXCL);
    await rename(temporary, target);
  }
  return describeModel(modelsDir, target);
}

/** Deletes a model (every part of a split set) from the models folder; returns the bytes freed. */
export async function deleteModel(modelsDir: string, name: string): Promise<{ name: string; freedBytes: number }> {
  const path = await resolveModelFile(modelsDir, name);
  const model = (await listModels(modelsDir)).find((entry) => entry.path === path);
  const parts = splitPart.test(path) ? (await findGgufFiles(dirname(path), 1)).filter((file) => file.replace(splitPart, '') === path.replace(splitPart, '')) : [path];
  for (const part of parts) await unlink(part);
  return { name, freedBytes: model?.sizeBytes ?? 0 };
}
