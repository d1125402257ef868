import { ApiError, type AttachedDocuments, type Collection, type DocumentKind, type DocumentRecord } from '../api';
import type { Db } from './db';

/** A paragraph of a stored document with its page and headings (the documents service's Block). */
export interface StoredBlock {
  text: string;
  page: number | null;
  headings: string[];
}

/** A document read and about to be kept. */
export interface NewDocument {
  collectionId: number | null;
  name: string;
  path: string | null;
  kind: DocumentKind;
  sizeBytes: number;
  /** The file's modification time (ms), to notice a changed file on rescan; null for uploads. */
  modifiedMs: number | null;
  sha256: string;
  pages: number | null;
  blocks: StoredBlock[];
}

/** A document as stored: the record, and what rescans compare (its hash, its file's modification time). */
export type StoredDocument = DocumentRecord & { sha256: string; modifiedMs: number | null };

interface DocumentRow {
  id: number;
  collection_id: number | null;
  name: string;
  path: string | null;
  kind: DocumentKind;
  size_bytes: number;
  modified_ms: number | null;
  sha256: string;
  pages: number | null;
  added_at: number;
  chunks: number;
  embedded: number;
}

const documentSelect = `SELECT d.id, d.collection_id, d.name, d.path, d.kind, d.size_bytes, d.modified_ms, d.sha256, d.pages, d.added_at,
  (SELECT count(*) FROM chunks c WHERE c.document_id = d.id) AS chunks,
  (SELECT count(*) FROM chunks c WHERE c.document_id = d.id AND c.embedded_with <> '' AND c.embedded_with = (SELECT model FROM vector_space)) AS embedded
  FROM documents d`;

function toDocument(row: DocumentRow): StoredDocument {
  return {
    id: row.id,
    name: row.name,
    path: row.path,
    kind: row.kind,
    sizeBytes: row.size_bytes,
    pages: row.pages,
    collectionId: row.collection_id,
    chunks: row.chunks,
    embeddedChunks: row.embedded,
    addedAt: row.added_at,
    sha256: row.sha256,
    modifiedMs: row.modified_ms
  };
}

/**
 * Documents, collections and what each conversation reads from. Deleting a document deletes its chunks,
 * their vectors (foreign keys) and their word index entries (triggers).
 */
export class DocumentStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now
  ) {}

  createCollection(name: string, folder: string | null): Collection {
    if (this.collectionNamed(name)) throw new ApiError('VALIDATION', `A collection named "${name}" exists already.`);
    const { lastInsertRowid } = this.db.prepare('INSERT INTO collections (name, folder, created_at) VALUES (?, ?, ?)').run(name, folder, this.now());
    return this.collection(Number(lastInsertRowid));
  }

  collections(): Collection[] {
    return (this.db.prepare('SELECT id FROM collections ORDER BY name COLLATE NOCASE').pluck().all() as number[]).map((id) => this.collection(id));
  }

  /** The collection with its counts; NOT_FOUND when there is none. */
  collection(id: number): Collection {
    const row = this.db.prepare('SELECT id, name, folder, created_at FROM collections WHERE id = ?').get(id) as { id: number; name: string; folder: string | null; created_at: number } | undefined;
    if (!row) throw new ApiError('NOT_FOUND', `There is no collection ${id}.`);
    const documents = this.documents(id);
    const sum = (field: 'chunks' | 'embeddedChunks') => documents.reduce((total, document) => total + document[field], 0);
    return { id: row.id, name: row.name, folder: row.folder, documents: documents.length, chunks: sum('chunks'), embeddedChunks: sum('embeddedChunks'), createdAt: row.created_at };
  }

  /** By name, ignoring case; null when there is none. */
  collectionNamed(name: string): Collection | null {
    const id = this.db.prepare('SELECT id FROM collections WHERE name = ?').pluck().get(name) as number | undefined;
    return id === undefined ? null : this.collection(id);
  }

  deleteCollection(id: number): void {
    this.collection(id);
    this.db.prepare('DELETE FROM collections WHERE id = ?').run(id);
  }

  add(document: NewDocument): StoredDocument {
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO documents (collection_id, name, path, kind, size_bytes, modified_ms, sha256, pages, sections, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(document.collectionId, document.name, document.path, document.kind, document.sizeBytes, document.modifiedMs, document.sha256, document.pages, JSON.stringify(document.blocks), this.now());
    return this.get(Number(lastInsertRowid));
  }

  /** The document with its counts and what rescans compare (hash, modification time); NOT_FOUND when there is none. */
  get(id: number): StoredDocument {
    const row = this.db.prepare(`${documentSelect} WHERE d.id = ?`).get(id) as DocumentRow | undefined;
    if (!row) throw new ApiError('NOT_FOUND', `There is no document ${id}.`);
    return toDocument(row);
  }

  /** Every document, or a collection's (null: those in none), newest first. */
  documents(collectionId?: number | null): (StoredDocument)[] {
    const rows =
      collectionId === undefined
        ? this.db.prepare(`${documentSelect} ORDER BY d.id DESC`).all()
        : this.db.prepare(`${documentSelect} WHERE d.collection_id IS ? ORDER BY d.id DESC`).all(collectionId);
    return (rows as DocumentRow[]).map(toDocument);
  }

  /** Records the file's new modification time (ms) once its content was found unchanged. */
  setModified(id: number, modifiedMs: number): void {
    this.db.prepare('UPDATE documents SET modified_ms = ? WHERE id = ?').run(modifiedMs, id);
  }

  /** The text blocks kept when it was read. */
  blocksOf(id: number): StoredBlock[] {
    const json = this.db.prepare('SELECT sections FROM documents WHERE id = ?').pluck().get(id) as string | undefined;
    if (json === undefined) throw new ApiError('NOT_FOUND', `There is no document ${id}.`);
    return JSON.parse(json) as StoredBlock[];
  }

  remove(id: number): void {
    this.get(id);
    this.db.prepare('DELETE FROM documents WHERE id = ?').run(id);
  }

  /** Sets what the conversation's replies read from; NOT_FOUND for a document or collection that is not there. */
  attach(conversationId: number, documentIds: number[], collectionId: number | null): AttachedDocuments {
    for (const id of documentIds) this.get(id);
    if (collectionId !== null) this.collection(collectionId);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM conversation_documents WHERE conversation_id = ?').run(conversationId);
      const insert = this.db.prepare('INSERT INTO conversation_documents (conversation_id, document_id, collection_id) VALUES (?, ?, ?)');
      for (const id of new Set(documentIds)) insert.run(conversationId, id, null);
      if (collectionId !== null) insert.run(conversationId, null, collectionId);
    })();
    return this.attached(conversationId);
  }

  attached(conversationId: number): AttachedDocuments {
    const rows = this.db.prepare('SELECT document_id, collection_id FROM conversation_documents WHERE conversation_id = ? ORDER BY rowid').all(conversationId) as { document_id: number | null; collection_id: number | null }[];
    return {
      conversationId,
      documentIds: rows.flatMap((row) => (row.document_id === null ? [] : [row.document_id])),
      collectionId: rows.find((row) => row.collection_id !== null)?.collection_id ?? null
    };
  }

  /** The documents a conversation reads from: those attached and those of its collection, oldest first. */
  attachedDocumentIds(conversationId: number): number[] {
    return this.db
      .prepare(
        `SELECT DISTINCT d.id FROM documents d JOIN conversation_documents a ON a.document_id = d.id OR a.collection_id = d.collection_id
         WHERE a.conversation_id = ? ORDER BY d.id`
      )
      .pluck()
      .all(conversationId) as number[];
  }
}
