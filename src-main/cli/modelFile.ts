import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * What `--model` names: a GGUF file by its path (relative to the working directory), else a model in the
 * models folder by its name there, as `hearth models list` shows it. Split sets are named by their first part.
 * @throws Error naming both places looked in, when neither holds the file.
 */
export function modelFileOf(model: string, modelsDir: string): string {
  const asPath = resolve(model);
  if (existsSync(asPath)) return asPath;
  const inFolder = join(modelsDir, model);
  if (existsSync(inFolder)) return inFolder;
  throw new Error(`No model file at ${asPath}, and none called "${model}" in the models folder (${modelsDir}); see \`hearth models list\`.`);
}
