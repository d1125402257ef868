import { ApiError, type Handlers, type MethodName } from '../api';
import type { History } from '../history';
import type { DocumentService } from './documents';

type DocumentMethod = Extract<MethodName, `docs.${string}` | `collections.${string}` | 'settings.documents' | 'settings.setDocuments'>;

/** The contract's document methods, bound to the document service. */
export function documentHandlers(documents: DocumentService, history: History): Pick<Handlers, DocumentMethod> {
  return {
    'docs.add': ({ path, upload, collection }) => {
      if ((path === undefined) === (upload === undefined)) throw new ApiError('VALIDATION', 'Give either a path or an upload, not both.');
      return documents.add(path === undefined ? { upload: upload! } : { path }, collection);
    },
    'docs.list': ({ collectionId }) => documents.list(collectionId),
    'docs.remove': ({ id }) => documents.remove(id),
    'docs.search': ({ query, limit = 10, collectionId, documentIds }) => documents.search(query, documents.scope(collectionId, documentIds), limit),
    'docs.attach': ({ conversationId, documentIds, collectionId }) => {
      history.conversations.get(conversationId);
      return history.documents.attach(conversationId, documentIds, collectionId);
    },
    'docs.attached': ({ conversationId }) => {
      history.conversations.get(conversationId);
      return history.documents.attached(conversationId);
    },
    'docs.passage': ({ documentId, chunkId, page }) => {
      if (chunkId !== null) {
        const [chunk] = history.chunks.byIds([chunkId]);
        if (chunk?.documentId !== documentId) throw new ApiError('NOT_FOUND', 'That passage is no longer indexed: its document was removed or indexed again.');
        return { text: chunk.text };
      }
      const blocks = history.documents.blocksOf(documentId).filter((block) => page === null || block.page === page);
      return { text: blocks.map((block) => block.text).join('\n\n') };
    },
    'docs.indexing': () => documents.indexer.status(),
    'docs.cancelIndexing': () => documents.indexer.cancel(),
    'collections.create': ({ name, folder }) => documents.createCollection(name, folder),
    'collections.list': () => history.documents.collections(),
    'collections.rescan': ({ id }) => documents.rescan(id),
    'collections.delete': ({ id }) => documents.deleteCollection(id),
    'settings.documents': () => documents.settings(),
    'settings.setDocuments': ({ settings }) => documents.setSettings(settings)
  };
}
