import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApiServerStatus, AppInfo } from '../../src-main/api';
import { createHearth, memorySecretStore, type SecretStore } from '../../src-main/app';
import { hubHeaders, hubOptionsFromEnv } from '../../src-main/models';
import { temporaryDir } from '../helpers/paths';

/** A keychain-backed store as the desktop app hands it over, its values visible to the test. */
function keychainSecrets(): SecretStore & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return {
    storage: { kind: 'keychain', note: 'encrypted' },
    values,
    get: (name) => values.get(name) ?? null,
    set: (name, value) => void (value === null ? values.delete(name) : values.set(name, value))
  };
}

describe('desktop capabilities handed to the services', () => {
  it('stores the Hub token in the secret store, reports where it comes from, never returns it', async () => {
    const dir = temporaryDir();
    const secrets = keychainSecrets();
    const revealed: string[] = [];
    const hearth = await createHearth({ dataDir: dir.path, modelsDir: join(dir.path, 'models'), databaseFile: join(dir.path, 'h.sqlite') }, { desktop: { secrets, revealInFolder: (path) => revealed.push(path) } });
    try {
      expect(await hearth.router.call('settings.hubToken', {})).toEqual({ ok: true, result: { configured: false, source: null, canStore: true, keychain: true } });
      const stored = await hearth.router.call('settings.setHubToken', { token: 'hf_abcdefghijkl' });
      expect(stored).toEqual({ ok: true, result: { configured: true, source: 'secure storage', canStore: true, keychain: true } });
      expect(JSON.stringify(stored)).not.toContain('hf_abcdefghijkl');
      expect(secrets.values.get('huggingface-token')).toBe('hf_abcdefghijkl');
      // A first run wrote the demo model, which the file manager can show.
      expect(await hearth.router.call('models.reveal', { model: 'hearth-demo.gguf' })).toEqual({ ok: true, result: { revealed: true } });
      expect(revealed).toEqual([join(dir.path, 'models', 'hearth-demo.gguf')]);
    } finally {
      await hearth.close();
      dir.remove();
    }
  });

  it('says where secrets live when the desktop has no keychain: memory, in app.info and in each status', async () => {
    const dir = temporaryDir();
    const secrets = memorySecretStore('No system keychain was found');
    const hearth = await createHearth({ dataDir: dir.path, modelsDir: join(dir.path, 'models'), databaseFile: join(dir.path, 'h.sqlite') }, { desktop: { secrets, revealInFolder: () => {} } });
    try {
      const info = await hearth.router.call('app.info', {});
      expect(info.ok && (info.result as AppInfo).secrets).toEqual({ kind: 'memory', note: 'No system keychain was found' });
      expect(await hearth.router.call('settings.setHubToken', { token: 'hf_abcdefghijkl' })).toEqual({ ok: true, result: { configured: true, source: 'memory', canStore: true, keychain: false } });
      const status = await hearth.router.call('apiServer.configure', { settings: {}, apiKey: 'sk-local-123456' });
      expect(status.ok && (status.result as ApiServerStatus).hasKey).toBe(true);
      expect(secrets.get('openai-api-key')).toBe('sk-local-123456');
    } finally {
      await hearth.close();
      dir.remove();
    }
  });

  it('tells browser mode that keys live in memory until the server stops', async () => {
    const dir = temporaryDir();
    const hearth = await createHearth({ dataDir: dir.path, modelsDir: join(dir.path, 'models'), databaseFile: join(dir.path, 'h.sqlite') }, {});
    try {
      const info = await hearth.router.call('app.info', {});
      expect(info.ok && (info.result as AppInfo).secrets.kind).toBe('memory');
      expect(info.ok && (info.result as AppInfo).secrets.note).toMatch(/Browser mode keeps API keys in memory/);
      expect(await hearth.router.call('settings.hubToken', {})).toEqual({ ok: true, result: { configured: false, source: null, canStore: false, keychain: false } });
    } finally {
      await hearth.close();
      dir.remove();
    }
  });

  it('uses the environment token before a stored one, and sends it to the Hub only', () => {
    expect(hubOptionsFromEnv({}, 'stored').token).toBe('stored');
    expect(hubOptionsFromEnv({ HF_TOKEN: 'from-env' }, 'stored').token).toBe('from-env');
    const hub = hubOptionsFromEnv({ HEARTH_HF_ENDPOINT: 'https://hub.example/' }, 'secret');
    expect(hubHeaders(hub, 'https://hub.example/org/repo/resolve/main/x.gguf')).toEqual({ Authorization: 'Bearer secret' });
    expect(hubHeaders(hub, 'https://elsewhere.example/x.gguf')).toEqual({});
  });
});
