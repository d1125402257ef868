import { describe, expect, it } from 'vitest';
import { ThemeState, themeStorageKey, type ThemeEnvironment } from '../../../src-renderer/src/lib/theme.svelte';

/** A page whose OS setting the test switches, with storage of its own. */
function page(stored: string | null, systemDark: boolean) {
  const storage = new Map<string, string>(stored === null ? [] : [[themeStorageKey, stored]]);
  const listeners: (() => void)[] = [];
  const system = { matches: systemDark };
  const env: ThemeEnvironment = {
    root: { dataset: {} },
    storage: { getItem: (key) => storage.get(key) ?? null, setItem: (key, value) => void storage.set(key, value), removeItem: (key) => void storage.delete(key) },
    systemDark: {
      get matches() {
        return system.matches;
      },
      addEventListener: (_type: string, listener: () => void) => void listeners.push(listener)
    } as ThemeEnvironment['systemDark']
  };
  const switchSystem = (dark: boolean) => {
    system.matches = dark;
    for (const listener of listeners) listener();
  };
  return { env, storage, switchSystem };
}

describe('the theme', () => {
  it('follows the OS by default, as it switches', () => {
    const { env, switchSystem } = page(null, true);
    const theme = new ThemeState(env);
    expect(theme.choice).toBe('system');
    expect(env.root.dataset.theme).toBe('dark');
    switchSystem(false);
    expect(env.root.dataset.theme).toBe('light');
    expect(theme.shown).toBe('light');
  });

  it('keeps a chosen theme whatever the OS does, and forgets it when set back to the system', () => {
    const { env, storage, switchSystem } = page(null, false);
    const theme = new ThemeState(env);
    theme.choose('dark');
    expect(storage.get(themeStorageKey)).toBe('dark');
    expect(env.root.dataset.theme).toBe('dark');
    switchSystem(false);
    expect(env.root.dataset.theme).toBe('dark');
    theme.choose('system');
    expect(storage.has(themeStorageKey)).toBe(false);
    expect(env.root.dataset.theme).toBe('light');
  });

  it('starts from the stored choice, and ignores a value it does not know', () => {
    expect(new ThemeState(page('light', true).env).shown).toBe('light');
    const unknown = page('sepia', true);
    expect(new ThemeState(unknown.env).choice).toBe('system');
    expect(unknown.env.root.dataset.theme).toBe('dark');
  });
});
