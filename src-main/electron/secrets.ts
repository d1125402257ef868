import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { memorySecretStore, type SecretStore } from '../app';
import { ensurePrivateFile } from '../paths';

/**
 * The part of Electron's `safeStorage` used: its asynchronous API (the synchronous one is deprecated in
 * Electron 45 and removed in 46), and on Linux the name of the secret store it picked.
 */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plain: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  /** Linux only: 'basic_text' (a password built into Chromium) | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown'. */
  getSelectedStorageBackend(): string;
}

/** The answer when there is no keychain: where the secrets go instead, and why. */
const noKeychainNote = (why: string) =>
  `${why}, so API keys and tokens are kept in memory until Hearth quits: set them again after a restart. Install and unlock GNOME Keyring or KWallet to keep them.`;

/**
 * Whether safeStorage is backed by a real keychain here. On Linux `basic_text` encrypts with a
 * password hard-coded in Chromium, which protects nothing, and `unknown` cannot be trusted either.
 */
async function keychainProblem(safeStorage: SafeStorageLike, platform: NodeJS.Platform): Promise<string | null> {
  if (platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend();
    if (backend === 'basic_text') return "No system keychain was found (Electron's safeStorage fell back to basic_text, a password built into Chromium)";
    if (backend === 'unknown') return 'No system keychain could be identified';
  }
  const available = await safeStorage.isAsyncEncryptionAvailable().catch(() => false);
  return available ? null : 'The system keychain is not available';
}

function readCiphertexts(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

async function decryptAll(safeStorage: SafeStorageLike, ciphertexts: Record<string, string>): Promise<{ values: Map<string, string>; stale: boolean }> {
  const values = new Map<string, string>();
  let stale = false;
  for (const [name, encrypted] of Object.entries(ciphertexts)) {
    try {
      const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(Buffer.from(encrypted, 'base64'));
      values.set(name, result);
      stale ||= shouldReEncrypt;
    } catch {
      // A secret the keychain no longer opens (another machine's, a reset keychain) is as good as absent.
    }
  }
  return { values, stale };
}

/** A SecretStore that also says when its last write reached the disk (for shutdown and tests). */
export interface DesktopSecretStore extends SecretStore {
  written(): Promise<void>;
}

/**
 * Opens the desktop app's secrets (after Electron's `ready`). With a keychain: one JSON file of base64
 * ciphertexts (0600), decrypted once into memory; every change is re-encrypted and written in order.
 * Without one (see keychainProblem): memory only, and `storage.note` says so. A file an older build
 * wrote under basic_text is read into memory once and removed, since its encryption protects nothing.
 */
export async function openSecretStore(safeStorage: SafeStorageLike, file: string, platform: NodeJS.Platform = process.platform): Promise<DesktopSecretStore> {
  const problem = await keychainProblem(safeStorage, platform);
  if (problem) {
    const store = memorySecretStore(noKeychainNote(problem));
    if (existsSync(file)) {
      for (const [name, value] of (await decryptAll(safeStorage, readCiphertexts(file))).values) store.set(name, value);
      rmSync(file, { force: true });
    }
    return { ...store, written: () => Promise.resolve() };
  }
  const note = ensurePrivateFile(file);
  if (note) console.warn(`[hearth] ${note}`);
  const { values, stale } = await decryptAll(safeStorage, readCiphertexts(file));
  let writes = Promise.resolve();
  const persist = (): void => {
    const snapshot = [...values];
    writes = writes
      .then(async () => {
        const ciphertexts: Record<string, string> = {};
        for (const [name, value] of snapshot) ciphertexts[name] = (await safeStorage.encryptStringAsync(value)).toString('base64');
        writeFileSync(`${file}.tmp`, JSON.stringify(ciphertexts), { mode: 0o600 });
        renameSync(`${file}.tmp`, file);
      })
      .catch((error: unknown) => console.error('[hearth] could not save the secrets:', error));
  };
  if (stale) persist();
  return {
    storage: { kind: 'keychain', note: 'API keys and tokens are encrypted by the system keychain and kept across restarts.' },
    get: (name) => values.get(name) ?? null,
    set: (name, value) => {
      if (value === null) values.delete(name);
      else values.set(name, value);
      persist();
    },
    written: () => writes
  };
}
