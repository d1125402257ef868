import type { GgufFileInfo } from 'node-llama-cpp';
import { constants } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat, symlink, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ApiError, type ModelFile } from '../api';
import { readGgufHeader, summarizeGguf } from './gguf';
import { ggmlTypeName, tensorBytes } from '../catalog';
import { fileSize } from './fileSize';
import { groupSplitSets, splitPartNames, splitPartOf } from './splitParts';

/** Hearth's built-in demo model (see demoModel.ts): the one file the library marks as the demo. */
export const demoModelFileName = 'hearth-demo.gguf';

const ggufExtension = /\.gguf$/i;

/**
 * Every model under the models folder (one level of sub-folders deep), each with what its header
 * says; a split set is one model, listed by its first part. A file that is not a usable GGUF is
 * listed with the reason, never skipped and never a crash.
 */
export async function listModels(modelsDir: string): Promise<ModelFile[]> {
  const sets = groupSplitSets(await findGgufFiles(modelsDir, 2));
  const models = await Promise.all(sets.map((set) => describeSet(modelsDir, set.files, set.declared)));
  return models.sort((a, b) => a.name.localeCompare(b.name));
}

/** A model of one file or of a split set's parts (first part first): its header is the first part's, its size all of theirs. */
async function describeSet(modelsDir: string, parts: string[], declared: number): Promise<ModelFile> {
  if (declared > 1 && (parts.length !== declared || splitPartOf(parts[0])?.part !== 1)) {
    const model = await describeModel(modelsDir, parts[0]);
    const sizes = await Promise.all(parts.map((part) => fileSize(part)));
    return { ...model, sizeBytes: sizes.reduce((a, b) => a + b, 0), parts: parts.length, usable: false, problem: `Split set incomplete: ${parts.length} of ${declared} parts are here.` };
  }
  const model = await describeModel(modelsDir, parts[0]);
  const sizes = await Promise.all(parts.slice(1).map((part) => fileSize(part)));
  return { ...model, sizeBytes: model.sizeBytes + sizes.reduce((a, b) => a + b, 0), parts: parts.length };
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
 * A split model is imported by its first part and brings every other part with it.
 */
export async function importModel(modelsDir: string, source: string, options: { link?: boolean } = {}): Promise<ModelFile> {
  const from = resolve(source);
  if (!(await stat(from).then((info) => info.isFile(), () => false))) throw new ApiError('NOT_FOUND', `There is no file at ${from}.`);
  const split = splitPartOf(basename(from));
  if (split && split.part !== 1) {
    const first = splitPartNames(basename(from))[0];
    throw new ApiError('VALIDATION', `${basename(from)} is part ${split.part} of ${split.count} of a split model: import its first part, ${first}, which brings the others.`);
  }
  const parts = splitPartNames(from);
  const present = (await Promise.all(parts.map((part) => stat(part).then((info) => info.isFile(), () => false)))).filter(Boolean).length;
  if (present < parts.length) throw new ApiError('MODEL_INVALID', `${basename(from)} was not imported: only ${present} of ${parts.length} parts are beside it in ${dirname(from)}.`);
  const checked = await describeModel(dirname(from), from);
  if (!checked.usable) throw new ApiError('MODEL_INVALID', `${basename(from)} was not imported: ${checked.problem}`);
  await mkdir(modelsDir, { recursive: true });
  const targets = parts.map((part) => join(modelsDir, basename(part)));
  for (const target of targets) {
    if (await stat(target).then(() => true, () => false)) throw new ApiError('VALIDATION', `${basename(target)} is already in the models folder.`);
  }
  if (options.link) {
    for (const [index, part] of parts.entries()) await symlink(part, targets[index]);
  } else {
    // Every part is copied before any is renamed: a failed copy leaves no partial set in the library.
    const temporary = targets.map((target) => `${target}.importing`);
    try {
      for (const [index, part] of parts.entries()) await copyFile(part, temporary[index], constants.COPYFILE_EXCL);
    } catch (error) {
      await Promise.all(temporary.map((path) => rm(path, { force: true })));
      throw error;
    }
    for (const [index, path] of temporary.entries()) await rename(path, targets[index]);
  }
  return describeSet(modelsDir, targets, targets.length);
}

/** Deletes a model (every part of a split set) from the models folder; returns the bytes freed. */
export async function deleteModel(modelsDir: string, name: string): Promise<{ name: string; freedBytes: number }> {
  const path = await resolveModelFile(modelsDir, name);
  const parts = splitPartNames(path);
  let freedBytes = 0;
  for (const part of parts) {
    const size = await fileSize(part);
    // A part already gone (an incomplete set) is not an error: the rest still goes.
    if (await unlink(part).then(() => true, (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? false : Promise.reject(error)))) freedBytes += size;
  }
  return { name, freedBytes };
}
