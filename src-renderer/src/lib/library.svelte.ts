import { ApiClientError, type HearthApi } from './api';
import type { EngineState } from './engine.svelte';
import { isModelFile } from './documents';
import { formatSize } from './format';
import { Task } from './task.svelte';
import type { ToastState } from './toast.svelte';

/**
 * The models folder from here: the "Import…" form of the installed models (a GGUF path on this machine,
 * copied or linked into the folder), files dropped on the window, and deleting.
 */
export class ModelLibrary {
  path = $state('');
  link = $state(false);
  /** The form's import: under way, or why it failed. */
  readonly importing = new Task();

  constructor(
    private readonly api: HearthApi,
    private readonly engine: EngineState,
    private readonly toast: ToastState
  ) {}

  /** Imports the path typed in the form. */
  async importPath(): Promise<boolean> {
    const path = this.path.trim();
    if (!path) {
      this.importing.problem = 'Type the full path of a .gguf file on this machine.';
      return false;
    }
    return this.importing.run(async () => {
      const model = await this.api.call('models.import', { path, link: this.link });
      await this.engine.refresh();
      this.path = '';
      this.toast.show(`Imported ${model.name}${this.link ? ' (linked)' : ''}`);
    });
  }

  /**
   * GGUF files dropped on the window are imported by path: the desktop app can tell a dropped file's
   * path; a browser never reveals it, so browser mode points to the path field instead.
   */
  async importDropped(files: File[]): Promise<void> {
    const models = files.filter((file) => isModelFile(file.name));
    if (models.length === 0) return;
    const pathForFile = window.hearth?.pathForFile;
    if (!pathForFile) {
      this.toast.show('Dropping files works in the desktop app. Here, paste the file\'s path under Models → Import.');
      return;
    }
    for (const file of models) {
      try {
        const model = await this.api.call('models.import', { path: pathForFile(file) });
        this.toast.show(`Imported ${model.name}`);
      } catch (error) {
        this.toast.show(`${file.name} was not imported: ${ApiClientError.from(error).message}`);
      }
    }
    await this.engine.refresh();
  }

  /** Deletes a model from the models folder; returns why it failed, or null. */
  async delete(name: string): Promise<string | null> {
    try {
      const { freedBytes } = await this.api.call('models.delete', { model: name });
      await this.engine.refresh();
      this.toast.show(`Deleted ${name} · freed ${formatSize(freedBytes)}`);
      return null;
    } catch (error) {
      return ApiClientError.from(error).message;
    }
  }
}
