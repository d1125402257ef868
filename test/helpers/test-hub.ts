import { startFileServer, type Faults, type FileServer } from './file-server';
import type { HubRepoCard } from './hub-api';

/** The token that opens the gated repository's files. */
export const hubToken = 'hf_test_token_for_the_gated_repository';

/** The test Hub's repositories: each search test finds all three with "stories". */
export const hubRepos = {
  /** Several quantizations: stories260K as the smallest (its header is the one read), larger stand-ins, a split set, a projector. */
  open: 'test-org/stories260K-GGUF',
  /** The most downloaded, least liked, and newest. */
  popular: 'other-org/stories-mini-GGUF',
  /** Gated as the Hub gates: the card and the list are public, the files answer 401 without the token. */
  gated: 'gated-org/stories-gated-GGUF'
} as const;

const MiB = 1024 * 1024;

/**
 * A local Hub with three GGUF repositories. Only `stories260K-Q8_0.gguf` (the real stories260K model: its name's
 * quantization is what the listing groups by) and the gated repository's copy are real models; the larger
 * quantizations are zero-filled stand-ins of their size, never downloaded by the tests.
 */
export function startTestHub(stories: Buffer, faults: Faults = {}): Promise<FileServer> {
  const files: Record<string, Buffer> = {
    [`${hubRepos.open}/stories260K-Q8_0.gguf`]: stories,
    [`${hubRepos.open}/stories260K-F16.gguf`]: Buffer.alloc(2 * MiB),
    [`${hubRepos.open}/BF16/stories260K-BF16-00002-of-00002.gguf`]: Buffer.alloc(1.5 * MiB),
    [`${hubRepos.open}/BF16/stories260K-BF16-00001-of-00002.gguf`]: Buffer.alloc(1.5 * MiB),
    [`${hubRepos.open}/mmproj-stories260K-F16.gguf`]: Buffer.alloc(64 * 1024),
    [`${hubRepos.open}/README.md`]: Buffer.from('# stories260K\n'),
    [`${hubRepos.popular}/stories-mini-Q4_0.gguf`]: stories,
    [`${hubRepos.gated}/stories-gated-Q8_0.gguf`]: stories
  };
  const cards: Record<string, HubRepoCard> = {
    [hubRepos.open]: { downloads: 500, likes: 20, lastModified: '2025-03-01T10:00:00.000Z' },
    [hubRepos.popular]: { downloads: 9000, likes: 1, lastModified: '2025-09-01T10:00:00.000Z' },
    [hubRepos.gated]: { downloads: 100, likes: 99, lastModified: '2024-11-01T10:00:00.000Z', gated: 'manual', token: hubToken }
  };
  return startFileServer(files, faults, cards);
}
