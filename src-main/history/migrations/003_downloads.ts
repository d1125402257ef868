export const downloads = `
CREATE TABLE downloads (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  url TEXT NOT NULL,
  file_name TEXT NOT NULL,
  total_bytes INTEGER,
  received_bytes INTEGER NOT NULL DEFAULT 0,
  expected_sha256 TEXT,
  sha256 TEXT,
  status TEXT NOT NULL CHECK (status IN ('queued', 'downloading', 'paused', 'verifying', 'completed', 'failed', 'cancelled')),
  error TEXT,
  retries INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX downloads_by_status ON downloads (status);
`;
