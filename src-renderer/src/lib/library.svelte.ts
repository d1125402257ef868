import { ApiClientError } from './api';
import { api } from './client';
import { engine } from './engine.svelte';
import { formatSize } from './format';
import { toast } from './toast.svelte';

/** Deletes a model from the models folder; returns why it failed, or null. */
export async function deleteModel(name: string): Promise<string | null> {
  try {
    const { freedBytes } = await api.call('models.delete', { name });
    await engine.refresh();
    toast.show(`Deleted ${name} · freed ${formatSize(freedBytes)}`);
    return null;
  } catch (error) {
    return ApiClientError.from(error).message;
  }
}

/** The "Import…" form of the installed models: a GGUF path on this machine, copied (or linked) into the models folder. */
class ImportState {
  path = $state('');
  link = $state(false);
  importing = $state(false);
  problem = $state<string | null>(null);

  async run(): Promise<boolean> {
    const path = this.path.trim();
    if (!path) {
      this.problem = 'Type the full path of a .gguf file on this machine.';
      return false;
    }
    this.importing = true;
    this.problem = null;
    try {
      const model = await api.call('models.import', { path, link: this.link });
      await engine.refresh();
      this.path = '';
      toast.show(`Imported ${model.name}${this.link ? ' (linked)' : ''}`);
      return true;
    } catch (error) {
      this.problem = ApiClientError.from(error).message;
      return false;
    } finally {
      this.importing = false;
    }
  }
}

export const modelImport = new ImportState();

/**
 * GGUF files dropped on the window are imported by path: the desktop app can tell a dropped file's
 * path; a browser never reveals it, so browser mode points to the path field instead.
 */
export async function importDroppedFiles(files: File[]): Promise<void> {
  const models = files.filter((file) => /\.gguf$/i.test(file.name));
  if (models.length === 0) return;
  const pathForFile = window.hearth?.pathForFile;
  if (!pathForFile) {
    toast.show('Dropping files works in the desktop app. Here, paste the file\'s path under Models → Import.');
    return;
  }
  for (const file of models) {
    try {
      const model = await api.call('models.import', { path: pathForFile(file) });
      toast.show(`Imported ${model.name}`);
    } catch (error) {
      toast.show(`${file.name} was not imported: ${ApiClientError.from(error).message}`);
    }
  }
  await engine.refresh();
}
