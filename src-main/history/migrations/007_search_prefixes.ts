/**
 * Search treats every word typed as a prefix ("unic" finds "unicorn"). Without a prefix index FTS5
 * merges the lists of every word that starts so, which for a short, common start means most of the
 * history; with one, a prefix is a single list. The triggers keep the index in step as before.
 */
export const searchPrefixes = `
DROP TABLE messages_fts;
CREATE VIRTUAL TABLE messages_fts USING fts5 (
  content,
  content = 'messages',
  content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '1 2 3 4'
);
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
`;
