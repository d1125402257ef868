import type { Collection, DocumentHit, DocumentRecord, DocumentSettings, IndexingProgress } from '$api/contract';
import { ApiClientError, type HearthApi } from './api';
import { bytesToBase64 } from './documents';
import type { ErrorState } from './errors.svelte';
import { Task } from './task.svelte';

/** The Documents view's state: collections and their documents, indexing, search, and Settings → Documents. */
export class DocumentsState {
  collections = $state<Collection[]>([]);
  /** Documents by collection id; loose documents (added in a chat) under 0. */
  documents = $state<Record<number, DocumentRecord[]>>({});
  progress = $state<IndexingProgress | null>(null);
  settings = $state<DocumentSettings | null>(null);
  hits = $state<DocumentHit[] | null>(null);
  /** The last rescan's outcome, for the collection it was of. */
  rescanned = $state<Collection | null>(null);
  readonly creating = new Task();
  readonly adding = new Task();
  readonly searching = new Task();
  readonly saving = new Task();

  constructor(
    private readonly api: HearthApi,
    private readonly errors: ErrorState
  ) {}

  async refresh(): Promise<void> {
    try {
      const [collections, documents, progress] = await Promise.all([
        this.api.call('collections.list', {}),
        this.api.call('docs.list', {}),
        this.api.call('docs.indexing', {})
      ]);
      const grouped: Record<number, DocumentRecord[]> = {};
      for (const document of documents) (grouped[document.collectionId ?? 0] ??= []).push(document);
      this.collections = collections;
      this.documents = grouped;
      this.progress = progress;
    } catch (error) {
      this.errors.report(error, 'Could not read the documents');
    }
  }

  async loadSettings(): Promise<void> {
    try {
      this.settings = await this.api.call('settings.documents', {});
    } catch (error) {
      this.errors.report(error, 'Could not read the document settings');
    }
  }

  saveSettings(changes: Partial<DocumentSettings>): Promise<boolean> {
    return this.saving.run(async () => {
      this.settings = await this.api.call('settings.setDocuments', { settings: changes });
    });
  }

  createCollection(name: string, folder: string): Promise<boolean> {
    return this.creating.run(async () => {
      const created = await this.api.call('collections.create', { name, folder: folder || undefined });
      this.rescanned = created.skipped?.length ? created : null;
      await this.refresh();
    });
  }

  async rescan(id: number): Promise<void> {
    try {
      this.rescanned = await this.api.call('collections.rescan', { id });
      await this.refresh();
    } catch (error) {
      this.errors.report(error, 'Could not rescan the collection');
    }
  }

  async deleteCollection(id: number): Promise<string | null> {
    return this.removing(() => this.api.call('collections.delete', { id }));
  }

  async removeDocument(id: number): Promise<string | null> {
    return this.removing(() => this.api.call('docs.remove', { id }));
  }

  /** Reads files into a collection; a refused file's reason becomes the task's problem. */
  addFiles(collection: string, files: readonly File[]): Promise<boolean> {
    return this.adding.run(async () => {
      const refused: string[] = [];
      for (const file of files) {
        try {
          const path = window.hearth?.pathForFile?.(file);
          const upload = { name: file.name, base64: bytesToBase64(new Uint8Array(await file.arrayBuffer())) };
          await this.api.call('docs.add', path ? { path, collection } : { upload, collection });
        } catch (error) {
          refused.push(`${file.name}: ${ApiClientError.from(error).message}`);
        }
      }
      await this.refresh();
      return refused.length > 0 ? refused.join('\n') : null;
    });
  }

  search(query: string, collectionId: number | null): Promise<boolean> {
    return this.searching.run(async () => {
      this.hits = await this.api.call('docs.search', { query, ...(collectionId === null ? {} : { collectionId }) });
    });
  }

  async cancelIndexing(): Promise<void> {
    try {
      this.progress = await this.api.call('docs.cancelIndexing', {});
    } catch (error) {
      this.errors.report(error, 'Could not cancel indexing');
    }
  }

  /** The open chat's replies read this collection from now on (its chosen documents stay). */
  async useInChat(conversationId: number, collectionId: number): Promise<void> {
    const attached = await this.api.call('docs.attached', { conversationId });
    await this.api.call('docs.attach', { conversationId, documentIds: attached.documentIds, collectionId });
  }

  private async removing(call: () => Promise<unknown>): Promise<string | null> {
    try {
      await call();
      await this.refresh();
      return null;
    } catch (error) {
      return ApiClientError.from(error).message;
    }
  }
}
