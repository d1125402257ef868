/**
 * Documents the user chats with. A document keeps its extracted text (whole-text prompts and re-chunking
 * read it, never the file again) and is cut into chunks; `chunked_with` and `embedded_with` name the
 * embedding model whose tokenizer cut it and whose vector a chunk has ('' for none), so indexing picks up
 * what a restart, a cancel or a new embedding model left undone. Chunks get a word index kept in step by
 * triggers, as messages do. Their vectors live in a sqlite-vec table made by the store when the embedding
 * model's dimension is known (see chunks.ts), not here; `vector_space` says which model and dimension it holds. A reply's sources are JSON on its message: they
 * name the file as it was, so deleting a document later leaves the reply's record whole.
 */
export const documents = `
CREATE TABLE collections (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  folder TEXT,
  created_at INTEGER NOT NULL
);
CREATE TABLE documents (
  id INTEGER PRIMARY KEY,
  collection_id INTEGER REFERENCES collections (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  path TEXT,
  kind TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  modified_ms INTEGER,
  sha256 TEXT NOT NULL,
  pages INTEGER,
  sections TEXT NOT NULL,
  chunked_with TEXT,
  added_at INTEGER NOT NULL
);
CREATE INDEX documents_by_collection ON documents (collection_id);
CREATE INDEX documents_unchunked ON documents (chunked_with);
CREATE TABLE chunks (
  id INTEGER PRIMARY KEY,
  document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  text TEXT NOT NULL,
  page INTEGER,
  heading TEXT NOT NULL DEFAULT '',
  tokens INTEGER NOT NULL,
  embedded_with TEXT NOT NULL DEFAULT '',
  UNIQUE (document_id, position)
);
CREATE INDEX chunks_by_embedding ON chunks (embedded_with);
CREATE VIRTUAL TABLE chunks_fts USING fts5 (
  text,
  heading,
  content = 'chunks',
  content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN
  INSERT INTO chunks_fts (rowid, text, heading) VALUES (new.id, new.text, new.heading);
END;
CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
  INSERT INTO chunks_fts (chunks_fts, rowid, text, heading) VALUES ('delete', old.id, old.text, old.heading);
END;
CREATE TABLE conversation_documents (
  conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  document_id INTEGER REFERENCES documents (id) ON DELETE CASCADE,
  collection_id INTEGER REFERENCES collections (id) ON DELETE CASCADE,
  CHECK ((document_id IS NULL) <> (collection_id IS NULL))
);
CREATE INDEX conversation_documents_by_conversation ON conversation_documents (conversation_id);
CREATE TABLE vector_space (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  model TEXT NOT NULL,
  dimension INTEGER NOT NULL
);
ALTER TABLE messages ADD COLUMN sources TEXT;
`;
