import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSecretStore, type SafeStorageLike } from '../../../src-main/electron/secrets';
import { temporaryDir } from '../../helpers/paths';

/** A keychain stand-in with Electron's async API: reversible, and visibly not the plain text. */
function fakeSafeStorage(options: { available?: boolean; backend?: string; rotated?: boolean } = {}): SafeStorageLike & { encryptions: number } {
  const flip = (bytes: Buffer) => Buffer.from([...bytes].map((byte) => byte ^ 0x5a));
  const storage = {
    encryptions: 0,
    isAsyncEncryptionAvailable: async () => options.available ?? true,
    encryptStringAsync: async (plain: string) => {
      storage.encryptions++;
      return flip(Buffer.from(plain));
    },
    decryptStringAsync: async (encrypted: Buffer) => ({ result: flip(encrypted).toString(), shouldReEncrypt: options.rotated ?? false }),
    getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret'
  };
  return storage;
}

describe('secret store on the OS keychain', () => {
  const dir = temporaryDir();
  afterAll(() => dir.remove());

  it('stores only ciphertext, reads it back after a restart, and forgets on null', async () => {
    const file = join(dir.path, 'secrets.json');
    const store = await openSecretStore(fakeSafeStorage(), file, 'linux');
    expect(store.storage.kind).toBe('keychain');
    store.set('huggingface-token', 'hf_secret_value');
    await store.written();
    expect(readFileSync(file, 'utf8')).not.toContain('hf_secret_value');
    expect((await openSecretStore(fakeSafeStorage(), file, 'linux')).get('huggingface-token')).toBe('hf_secret_value');
    store.set('huggingface-token', null);
    expect(store.get('huggingface-token')).toBeNull();
    await store.written();
    expect((await openSecretStore(fakeSafeStorage(), file, 'linux')).get('huggingface-token')).toBeNull();
  });

  it('writes changes in the order they were made', async () => {
    const file = join(dir.path, 'ordered.json');
    const store = await openSecretStore(fakeSafeStorage(), file, 'darwin');
    for (let i = 0; i < 5; i++) store.set('openai-api-key', `key-${i}`);
    await store.written();
    expect((await openSecretStore(fakeSafeStorage(), file, 'darwin')).get('openai-api-key')).toBe('key-4');
  });

  it('re-encrypts what the keychain says was encrypted with a rotated key', async () => {
    const file = join(dir.path, 'rotated.json');
    const first = await openSecretStore(fakeSafeStorage(), file, 'win32');
    first.set('huggingface-token', 'hf_secret_value');
    await first.written();
    const storage = fakeSafeStorage({ rotated: true });
    const reopened = await openSecretStore(storage, file, 'win32');
    await reopened.written();
    expect(storage.encryptions).toBe(1);
  });

  it('keeps the file readable by its user only, tightening one an older build left looser', async () => {
    const file = join(dir.path, 'loose.json');
    writeFileSync(file, '{}', { mode: 0o644 });
    chmodSync(file, 0o644);
    const store = await openSecretStore(fakeSafeStorage(), file, 'linux');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    store.set('huggingface-token', 'hf_secret_value');
    await store.written();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('treats a damaged file as empty rather than failing', async () => {
    const file = join(dir.path, 'damaged.json');
    writeFileSync(file, '{not json');
    expect((await openSecretStore(fakeSafeStorage(), file, 'linux')).get('huggingface-token')).toBeNull();
  });
});

describe('secret store without a real keychain', () => {
  const dir = temporaryDir();
  afterAll(() => dir.remove());

  it.each([
    ['basic_text', /basic_text/],
    ['unknown', /No system keychain could be identified/]
  ])('treats Linux backend %s as no keychain: memory only, and says so', async (backend, reason) => {
    const file = join(dir.path, `${backend}.json`);
    const store = await openSecretStore(fakeSafeStorage({ backend }), file, 'linux');
    expect(store.storage.kind).toBe('memory');
    expect(store.storage.note).toMatch(reason);
    expect(store.storage.note).toMatch(/kept in memory until Hearth quits/);
    store.set('huggingface-token', 'hf_secret_value');
    await store.written();
    expect(store.get('huggingface-token')).toBe('hf_secret_value');
    expect(existsSync(file)).toBe(false);
  });

  it('says so when the keychain is unavailable on any system', async () => {
    const store = await openSecretStore(fakeSafeStorage({ available: false }), join(dir.path, 'none.json'), 'darwin');
    expect(store.storage).toEqual({ kind: 'memory', note: expect.stringMatching(/^The system keychain is not available, so API keys/) });
  });

  it('takes secrets an older build stored under basic_text into memory and removes the file', async () => {
    const file = join(dir.path, 'legacy.json');
    const keychain = await openSecretStore(fakeSafeStorage(), file, 'linux');
    keychain.set('openai-api-key', 'sk-legacy-123');
    await keychain.written();
    const store = await openSecretStore(fakeSafeStorage({ backend: 'basic_text' }), file, 'linux');
    expect(store.get('openai-api-key')).toBe('sk-legacy-123');
    expect(existsSync(file)).toBe(false);
  });
});
