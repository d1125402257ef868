import type { AttachedDocuments } from '$api/contract';
import type { HearthApi } from './api';
import type { ErrorState } from './errors.svelte';

/** One thing a conversation reads: a document, or a whole collection. */
export interface ReadItem {
  kind: 'document' | 'collection';
  id: number;
  name: string;
}

/** What the open conversation's replies read (`docs.attached`), shown in the chat so one can be detached. */
export class ConversationDocumentsState {
  conversationId = $state<number | null>(null);
  items = $state<ReadItem[]>([]);
  private attached: AttachedDocuments | null = null;

  constructor(
    private readonly api: HearthApi,
    private readonly errors: ErrorState
  ) {}

  /** Reads what the conversation reads; null (a draft) reads nothing. */
  async load(conversationId: number | null): Promise<void> {
    this.conversationId = conversationId;
    if (conversationId === null) {
      this.attached = null;
      this.items = [];
      return;
    }
    try {
      await this.show(await this.api.call('docs.attached', { conversationId }));
    } catch (error) {
      this.errors.report(error, 'Could not read the conversation’s documents');
    }
  }

  /** Shows an answer of `docs.attached` or `docs.attach`, naming its documents and collection. */
  async show(attached: AttachedDocuments): Promise<void> {
    const [documents, collections] = await Promise.all([this.api.call('docs.list', {}), this.api.call('collections.list', {})]);
    // A newer conversation may have been opened while the names were read.
    if (attached.conversationId !== this.conversationId) return;
    this.attached = attached;
    const names = new Map(documents.map((document) => [document.id, document.name]));
    const collection = collections.find((entry) => entry.id === attached.collectionId);
    this.items = [
      ...(collection ? [{ kind: 'collection' as const, id: collection.id, name: collection.name }] : []),
      ...attached.documentIds.flatMap((id) => (names.has(id) ? [{ kind: 'document' as const, id, name: names.get(id)! }] : []))
    ];
  }

  /** The conversation stops reading it; the document itself stays in Documents. */
  async detach(item: ReadItem): Promise<void> {
    const attached = this.attached;
    if (!attached) return;
    const documentIds = item.kind === 'document' ? attached.documentIds.filter((id) => id !== item.id) : attached.documentIds;
    const collectionId = item.kind === 'collection' ? null : attached.collectionId;
    try {
      await this.show(await this.api.call('docs.attach', { conversationId: attached.conversationId, documentIds, collectionId }));
    } catch (error) {
      this.errors.report(error, `Could not detach ${item.name}`);
    }
  }
}
