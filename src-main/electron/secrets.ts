import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { SecretStore } from '../app';
import { ensurePrivateFile } from '../paths';

/** The part of Electron's `safeStorage` used: encryption by the OS keychain (Keychain, DPAPI, libsecret). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/**
 * Secrets encrypted by the OS keychain and kept in one JSON file of base64 ciphertexts. Nothing is
 * written in clear; where the keychain is unavailable the store says so and keeps nothing.
 */
export function createSecretStore(safeStorage: SafeStorageLike, file: string): SecretStore {
  const note = ensurePrivateFile(file);
  if (note) console.warn(`[hearth] ${note}`);
  const read = (): Record<string, string> => {
    if (!existsSync(file)) return {};
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  };
  return {
    get available() {
      return safeStorage.isEncryptionAvailable();
    },
    get(name) {
      const encrypted = read()[name];
      if (!encrypted || !safeStorage.isEncryptionAvailable()) return null;
      try {
        return safeStorage.decryptString(Buffer.from(encrypted, 'base64'));
      } catch {
        return null;
      }
    },
    set(name, value) {
      if (!safeStorage.isEncryptionAvailable()) throw new Error('The system keychain is not available; nothing was stored.');
      const secrets = read();
      if (value === null) delete secrets[name];
      else secrets[name] = safeStorage.encryptString(value).toString('base64');
      writeFileSync(`${file}.tmp`, JSON.stringify(secrets), { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    }
  };
}
