/** OpenAI-compatible servers the user added; their keys live in the OS keychain, never here. */
export const remoteEngines = `
CREATE TABLE remote_engines (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  base_url TEXT NOT NULL,
  models TEXT NOT NULL DEFAULT '[]',
  error TEXT,
  created_at INTEGER NOT NULL
);
`;
