/**
 * A reasoning model's thought is kept beside its answer, never inside it. Thoughts get their own
 * search index, kept in step like the answers' one: searching them is a setting, and an index built
 * only when it is switched on would make that first search take as long as indexing the history.
 */
export const thoughts = `
ALTER TABLE messages ADD COLUMN thought TEXT NOT NULL DEFAULT '';
CREATE VIRTUAL TABLE thoughts_fts USING fts5 (
  thought,
  content = 'messages',
  content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '1 2 3 4'
);
CREATE TRIGGER thoughts_fts_insert AFTER INSERT ON messages WHEN new.thought <> '' BEGIN
  INSERT INTO thoughts_fts (rowid, thought) VALUES (new.id, new.thought);
END;
CREATE TRIGGER thoughts_fts_delete AFTER DELETE ON messages WHEN old.thought <> '' BEGIN
  INSERT INTO thoughts_fts (thoughts_fts, rowid, thought) VALUES ('delete', old.id, old.thought);
END;
CREATE TRIGGER thoughts_fts_update AFTER UPDATE OF thought ON messages BEGIN
  INSERT INTO thoughts_fts (thoughts_fts, rowid, thought) SELECT 'delete', old.id, old.thought WHERE old.thought <> '';
  INSERT INTO thoughts_fts (rowid, thought) SELECT new.id, new.thought WHERE new.thought <> '';
END;
`;
