import { ApiClientError, type HearthApi } from './api';
import { bytesToBase64 } from './documents';
import type { ErrorState } from './errors.svelte';

/** A file chosen for the next message: read into Hearth (`docs.add`) as soon as it is picked. */
export interface Attachment {
  key: number;
  name: string;
  sizeBytes: number;
  state: 'reading' | 'ready' | 'refused';
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
  async attachTo(conversationId: number): Promise<void> {
    const ids = this.items.flatMap((item) => (item.state === 'ready' && item.documentId !== null ? [item.documentId] : []));
    this.items = [];
    if (ids.length === 0) return;
    try {
      const attached = await this.api.call('docs.attached', { conversationId });
      const documentIds = [...new Set([...attached.documentIds, ...ids])];
      await this.api.call('docs.attach', { conversationId, documentIds, collectionId: attached.collectionId });
    } catch (error) {
      this.errors.report(error, 'Could not attach the files');
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
      update({ state: 'ready', documentId: record.id });
    } catch (error) {
      update({ state: 'refused', error: ApiClientError.from(error).message });
    }
  }
}
