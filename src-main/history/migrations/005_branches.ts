/**
 * Messages form a tree: regenerating a reply or editing a message adds a sibling instead of
 * replacing it. Existing conversations become one branch (each message follows the one before it).
 * The conversation remembers the last message of the branch on show.
 */
export const branches = `
ALTER TABLE messages ADD COLUMN parent_id INTEGER REFERENCES messages (id) ON DELETE CASCADE;
UPDATE messages SET parent_id = (
  SELECT MAX(earlier.id) FROM messages earlier WHERE earlier.conversation_id = messages.conversation_id AND earlier.id < messages.id
);
CREATE INDEX messages_by_parent ON messages (parent_id);

ALTER TABLE conversations ADD COLUMN leaf_message_id INTEGER;
UPDATE conversations SET leaf_message_id = (SELECT MAX(id) FROM messages WHERE conversation_id = conversations.id);

ALTER TABLE message_metrics ADD COLUMN details TEXT NOT NULL DEFAULT '{}';

CREATE TABLE preferences (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;
