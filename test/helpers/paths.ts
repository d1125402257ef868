import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The shared test models live beside the checkout, never inside it. */
export const sharedModelsDir = resolve(__dirname, '../../../shared/models');
export const stories260K = join(sharedModelsDir, 'stories260K.gguf');
export const tinyRandomLlama = join(sharedModelsDir, 'llama-2-tiny-random.gguf');

export function temporaryDir(prefix = 'hearth-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
