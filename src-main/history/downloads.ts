import type { Download, DownloadStatus } from '../api';
import type { Db } from './db';

interface DownloadRow {
  id: number;
  source: string;
  url: string;
  file_name: string;
  total_bytes: number | null;
  received_bytes: number;
  expected_sha256: string | null;
  sha256: string | null;
  status: DownloadStatus;
  error: string | null;
  retries: number;
  segments: number;
  created_at: number;
  updated_at: number;
}

function toDownload(row: DownloadRow): Download {
  return {
    id: row.id,
    source: row.source,
    url: row.url,
    fileName: row.file_name,
    totalBytes: row.total_bytes,
    receivedBytes: row.received_bytes,
    status: row.status,
    error: row.error,
    expectedSha256: row.expected_sha256,
    sha256: row.sha256,
    retries: row.retries,
    segments: row.segments,
    bytesPerSecond: null,
    etaSeconds: null,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  };
}

export type DownloadChanges = Partial<Pick<Download, 'totalBytes' | 'receivedBytes' | 'status' | 'error' | 'expectedSha256' | 'sha256' | 'retries' | 'segments'>>;

const columns: Record<keyof DownloadChanges, string> = {
  totalBytes: 'total_bytes',
  receivedBytes: 'received_bytes',
  status: 'status',
  error: 'error',
  expectedSha256: 'expected_sha256',
  sha256: 'sha256',
  retries: 'retries',
  segments: 'segments'
};

/** The download queue in SQLite: what was asked for survives crashes and restarts. */
export class DownloadStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now
  ) {}

  list(): Download[] {
    return (this.db.prepare('SELECT * FROM downloads ORDER BY id DESC').all() as DownloadRow[]).map(toDownload);
  }

  get(id: number): Download | null {
    const row = this.db.prepare('SELECT * FROM downloads WHERE id = ?').get(id) as DownloadRow | undefined;
    return row ? toDownload(row) : null;
  }

  create(entry: { source: string; url: string; fileName: string; totalBytes: number | null; expectedSha256: string | null; segments: number }): Download {
    const now = this.now();
    const result = this.db
      .prepare(
        `INSERT INTO downloads (source, url, file_name, total_bytes, expected_sha256, segments, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?)`
      )
      .run(entry.source, entry.url, entry.fileName, entry.totalBytes, entry.expectedSha256, entry.segments, now, now);
    return this.get(Number(result.lastInsertRowid))!;
  }

  update(id: number, changes: DownloadChanges): Download {
    const entries = Object.entries(changes) as [keyof DownloadChanges, unknown][];
    if (entries.length > 0) {
      const assignments = entries.map(([key]) => `${columns[key]} = ?`).join(', ');
      this.db.prepare(`UPDATE downloads SET ${assignments}, updated_at = ? WHERE id = ?`).run(...entries.map(([, value]) => value), this.now(), id);
    }
    return this.get(id)!;
  }

  /** An unfinished download of the same file, to resume rather than start again. */
  findActive(fileName: string): Download | null {
    const row = this.db
      .prepare("SELECT * FROM downloads WHERE file_name = ? AND status IN ('queued', 'downloading', 'paused', 'verifying', 'failed') ORDER BY id DESC LIMIT 1")
      .get(fileName) as DownloadRow | undefined;
    return row ? toDownload(row) : null;
  }

  /** At startup: what was running when the app stopped goes back in the queue. */
  requeueInterrupted(): Download[] {
    this.db.prepare("UPDATE downloads SET status = 'queued', updated_at = ? WHERE status IN ('downloading', 'verifying')").run(this.now());
    return (this.db.prepare("SELECT * FROM downloads WHERE status = 'queued' ORDER BY id").all() as DownloadRow[]).map(toDownload);
  }
}
