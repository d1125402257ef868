import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSecretStore, type SafeStorageLike } from '../../../src-main/electron/secrets';
import { temporaryDir } from '../../helpers/paths';

/** A keychain stand-in: reversible, and visibly not the plain text. */
function fakeSafeStorage(available = true): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    encryptString: (plain) => Buffer.from([...Buffer.from(plain)].map((byte) => byte ^ 0x5a)),
    decryptString: (encrypted) => Buffer.from([...encrypted].map((byte) => byte ^ 0x5a)).toString()
  };
}

describe('secret store on the OS keychain', () => {
  const dir = temporaryDir();
  afterAll(() => dir.remove());

  it('stores only ciphertext, reads it back, and forgets on null', () => {
    const file = join(dir.path, 'secrets.json');
    const store = createSecretStore(fakeSafeStorage(), file);
    store.set('huggingface-token', 'hf_secret_value');
    expect(readFileSync(file, 'utf8')).not.toContain('hf_secret_value');
    expect(createSecretStore(fakeSafeStorage(), file).get('huggingface-token')).toBe('hf_secret_value');
    store.set('huggingface-token', null);
    expect(store.get('huggingface-token')).toBeNull();
  });

  it('refuses to store anything without a keychain, and reads nothing', () => {
    const store = createSecretStore(fakeSafeStorage(false), join(dir.path, 'none.json'));
    expect(store.available).toBe(false);
    expect(() => store.set('huggingface-token', 'x')).toThrow(/keychain is not available/);
    expect(store.get('huggingface-token')).toBeNull();
  });

  it('keeps the file readable by its user only, tightening one an older build left looser', () => {
    const file = join(dir.path, 'loose.json');
    writeFileSync(file, '{}', { mode: 0o644 });
    chmodSync(file, 0o644);
    const store = createSecretStore(fakeSafeStorage(), file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    store.set('huggingface-token', 'hf_secret_value');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('treats a damaged file as empty rather than failing', () => {
    const file = join(dir.path, 'damaged.json');
    writeFileSync(file, '{not json');
    expect(createSecretStore(fakeSafeStorage(), file).get('huggingface-token')).toBeNull();
  });
});
