import type { Download } from '../../api';

/** Fields of a download the manager changes as it works; `plan` is its own JSON (see plan.ts). */
export type DownloadChanges = Partial<Pick<Download, 'totalBytes' | 'receivedBytes' | 'status' | 'error' | 'expectedSha256' | 'sha256' | 'retries' | 'segments' | 'parts' | 'note'>> & {
  plan?: string | null;
};

/** Where the queue lives (the history database's `downloads`): what was asked for survives crashes and restarts. */
export interface DownloadRecords {
  list(): Download[];
  get(id: number): Download | null;
  create(entry: { source: string; url: string; fileName: string; totalBytes: number | null; expectedSha256: string | null; segments: number; parts: number; plan: string }): Download;
  update(id: number, changes: DownloadChanges): Download;
  /** The plan last saved, or null (none yet, or a download recorded before plans). */
  plan(id: number): string | null;
  /** The unfinished download of a source (its first file's URL), to resume rather than start again. */
  findActive(url: string): Download | null;
  /** An unfinished download that will write a file of this name, whatever its source. */
  findActiveNamed(fileName: string): Download | null;
  /** What was running when the app stopped, back in the queue; returns the queue. */
  requeueInterrupted(): Download[];
}
