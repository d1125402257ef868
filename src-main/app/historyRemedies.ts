import { moveHistoryAside, recoverHistory, type HistoryFileError } from '../history';

/** A way to start when the history file cannot be used as it is; the file itself is always kept. */
export interface HistoryRemedy {
  kind: 'recover' | 'reset';
  /** For a button. */
  label: string;
  /** For the command line. */
  flag: string;
  /** Does it; returns what was done, in a sentence. */
  apply(): string;
}

/** What the user may choose when `error` stops Hearth from opening its history (the shells offer these). */
export function historyRemedies(file: string, error: HistoryFileError): HistoryRemedy[] {
  const recover: HistoryRemedy = {
    kind: 'recover',
    label: 'Recover what can be read',
    flag: '--history-recover',
    apply() {
      const report = recoverHistory(file);
      const rows = Object.entries(report.rows).filter(([, count]) => count > 0).map(([table, count]) => `${count} ${table}`).join(', ');
      return `Recovered ${rows || 'nothing'} into a new history (${report.lost} unreadable parts skipped); the damaged file is kept at ${report.movedTo}.`;
    }
  };
  const reset: HistoryRemedy = {
    kind: 'reset',
    label: 'Move it aside and start fresh',
    flag: '--history-reset',
    apply: () => `Moved ${file} aside to ${moveHistoryAside(file, error.problem)}; starting with an empty history.`
  };
  return error.problem === 'damaged' ? [recover, reset] : [reset];
}
