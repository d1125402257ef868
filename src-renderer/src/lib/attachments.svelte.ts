import type { AttachedDocuments } from '$api/contract';
import { ApiClientError, type HearthApi } from './api';
import { bytesToBase64 } from './documents';
import type { ErrorState } from './errors.svelte';

/** A file chosen for the next message: read into Hearth (`docs.add`) as soon as it is picked. */
export interface Attachment {
  key: number;
  name: string;
  sizeBytes: number;
  /** Read, then indexed in the background (`docs.progress` / `docs.changed` move it on); refused files are left out. */
  state: 'reading' | 'indexing' | 'indexed' | 'refused';
  /** Why it was refused. */
  error: string | null;
  documentId: number | null;
}

/** The files above the composer: added on pick, drop or paste, attached to the conversation when the message is sent. */
export class AttachmentsState {
  items = $state<Attachment[]>([]);
  /** Files still being read: sending waits for them so the reply can read them. */
  reading = $derived(this.items.some((item) => item.state === 'reading'));
  private nextKey = 1;
  private following = false;
  private lookAgain = false;

  constructor(
    private readonly api: HearthApi,
    private readonly errors: ErrorState
  ) {}

  add(files: readonly File[]): Promise<void> {
    return Promise.all(files.map((file) => this.read(file))).then(() => undefined);
  }

  remove(key: number): void {
    this.items = this.items.filter((item) => item.key !== key);
  }

  /**
   * Adds the ready files to what the conversation reads (keeping what it read before) and clears the
   * chips; refused ones just go, as the message is sent without them. A failure here is reported and the
   * message still goes.
   */
  async attachTo(conversationId: number): Promise<AttachedDocuments | null> {
    const ids = this.items.flatMap((item) => (item.state !== 'refused' && item.documentId !== null ? [item.documentId] : []));
    this.items = [];
    if (ids.length === 0) return null;
    try {
      const attached = await this.api.call('docs.attached', { conversationId });
      const documentIds = [...new Set([...attached.documentIds, ...ids])];
      return await this.api.call('docs.attach', { conversationId, documentIds, collectionId: attached.collectionId });
    } catch (error) {
      this.errors.report(error, 'Could not attach the files');
      return null;
    }
  }

  private async read(file: File): Promise<void> {
    const key = this.nextKey++;
    this.items.push({ key, name: file.name, sizeBytes: file.size, state: 'reading', error: null, documentId: null });
    const update = (changes: Partial<Attachment>) => {
      this.items = this.items.map((item) => (item.key === key ? { ...item, ...changes } : item));
    };
    try {
      // The desktop app reads the file where it is; a browser only hands over its content.
      const path = window.hearth?.pathForFile?.(file);
      const record = path
        ? await this.api.call('docs.add', { path })
        : await this.api.call('docs.add', { upload: { name: file.name, base64: bytesToBase64(new Uint8Array(await file.arrayBuffer())) } });
      update({ state: 'indexing', documentId: record.id });
      // Indexing may have finished before its events could find this chip.
      void this.followIndexing();
    } catch (error) {
      update({ state: 'refused', error: ApiClientError.from(error).message });
    }
  }

  /**
   * Moves chips whose documents are indexed on: every chunk made, and each with a vector when an embedding
   * model is set. Called on `docs.progress` and `docs.changed`; one look at a time, as events come in bursts.
   */
  async followIndexing(): Promise<void> {
    if (!this.items.some((item) => item.state === 'indexing')) return;
    if (this.following) {
      this.lookAgain = true;
      return;
    }
    this.following = true;
    try {
      const [list, progress] = await Promise.all([this.api.call('docs.list', {}), this.api.call('docs.indexing', {})]);
      const indexed = new Set(list.filter((doc) => doc.chunks > 0 && (progress.embeddingModel === null || doc.embeddedChunks >= doc.chunks)).map((doc) => doc.id));
      this.items = this.items.map((item) => (item.state === 'indexing' && item.documentId !== null && indexed.has(item.documentId) ? { ...item, state: 'indexed' } : item));
    } catch {
      // The chip keeps saying "indexing"; the next event looks again.
    } finally {
      this.following = false;
    }
    // An event that came during the look may have been the last one: it is not lost.
    if (this.lookAgain) {
      this.lookAgain = false;
      await this.followIndexing();
    }
  }
}
