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
