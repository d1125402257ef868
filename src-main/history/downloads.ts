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
  parts: number;
  note: string | null;
  plan: string | null;
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
    parts: row.parts,
    note: row.note,
    bytesPerSecond: null,
    etaSeconds: null,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  };
}

export type DownloadChanges = Partial<Pick<Download, 'totalBytes' | 'receivedBytes' | 'status' | 'error' | 'expectedSha256' | 'sha256' | 'retries' | 'segments' | 'parts' | 'note'>> & {
  /** The download manager's plan (JSON it owns); null forgets it. */
  plan?: string | null;
};

/** What a new download starts as. */
export interface NewDownload {
  source: string;
  url: string;
  fileName: string;
  totalBytes: number | null;
  expectedSha256: string | null;
  segments: number;
  parts: number;
  plan: string;
}

const columns: Record<keyof DownloadChanges, string> = {
  totalBytes: 'total_bytes',
  receivedBytes: 'received_bytes',
  status: 'status',
  error: 'error',
  expectedSha256: 'expected_sha256',
  sha256: 'sha256',
  retries: 'retries',
  segments: 'segments',
  parts: 'parts',
  note: 'note',
  plan: 'plan'
};

/** Downloads that still own a part file (a failed one keeps it for Retry). */
const unfinished = "'queued', 'downloading', 'paused', 'verifying', 'failed'";

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

  create(entry: NewDownload): Download {
    const now = this.now();
    const result = this.db
      .prepare(
        `INSERT INTO downloads (source, url, file_name, total_bytes, expected_sha256, segments, parts, plan, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)`
      )
      .run(entry.source, entry.url, entry.fileName, entry.totalBytes, entry.expectedSha256, entry.segments, entry.parts, entry.plan, now, now);
    return this.get(Number(result.lastInsertRowid))!;
  }

  /** The plan the download manager last saved (JSON), or null: none yet, or a download from before plans. */
  plan(id: number): string | null {
    return (this.db.prepare('SELECT plan FROM downloads WHERE id = ?').get(id) as { plan: string | null } | undefined)?.plan ?? null;
  }

  update(id: number, changes: DownloadChanges): Download {
    const entries = Object.entries(changes) as [keyof DownloadChanges, unknown][];
    if (entries.length > 0) {
      const assignments = entries.map(([key]) => `${columns[key]} = ?`).join(', ');
      this.db.prepare(`UPDATE downloads SET ${assignments}, updated_at = ? WHERE id = ?`).run(...entries.map(([, value]) => value), this.now(), id);
    }
    return this.get(id)!;
  }

  /** The unfinished download of a source (its first file's URL), to resume rather than start again. */
  findActive(url: string): Download | null {
    const row = this.db.prepare(`SELECT * FROM downloads WHERE url = ? AND status IN (${unfinished}) ORDER BY id DESC LIMIT 1`).get(url) as DownloadRow | undefined;
    return row ? toDownload(row) : null;
  }

  /** An unfinished download that will write a file of this name, whatever its source. */
  findActiveNamed(fileName: string): Download | null {
    const row = this.db.prepare(`SELECT * FROM downloads WHERE file_name = ? AND status IN (${unfinished}) ORDER BY id DESC LIMIT 1`).get(fileName) as DownloadRow | undefined;
    return row ? toDownload(row) : null;
  }

  /** At startup: what was running when the app stopped goes back in the queue. */
  requeueInterrupted(): Download[] {
    this.db.prepare("UPDATE downloads SET status = 'queued', updated_at = ? WHERE status IN ('downloading', 'verifying')").run(this.now());
    return (this.db.prepare("SELECT * FROM downloads WHERE status = 'queued' ORDER BY id").all() as DownloadRow[]).map(toDownload);
  }
}
