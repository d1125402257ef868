import { stat } from 'node:fs/promises';

/** Bytes in a file; 0 when there is none (a part not started yet, a missing split part). */
export function fileSize(path: string): Promise<number> {
  return stat(path).then((info) => info.size, () => 0);
}
