/** The interface's colours: the OS's light or dark (the default), or one chosen in Settings → Appearance. */
export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

export const themeChoices: readonly ThemeChoice[] = ['system', 'light', 'dark'];

/** Where the choice is kept. public/theme.js reads the same key, before the first paint. */
export const themeStorageKey = 'hearth-theme';

/** What the theme needs from the page; a test passes its own. */
export interface ThemeEnvironment {
  /** The document's root element: its `data-theme` selects the colours in styles/theme.css. */
  root: { dataset: DOMStringMap };
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** `(prefers-color-scheme: dark)`. */
  systemDark: Pick<MediaQueryList, 'matches' | 'addEventListener'>;
}

function isChoice(value: string | null): value is ThemeChoice {
  return themeChoices.some((choice) => choice === value);
}

export class ThemeState {
  choice = $state<ThemeChoice>('system');
  /** The theme on screen; with 'system' it follows the OS as it switches. */
  shown = $state<Theme>('light');

  constructor(private readonly env: ThemeEnvironment) {
    const stored = env.storage.getItem(themeStorageKey);
    if (isChoice(stored)) this.choice = stored;
    env.systemDark.addEventListener('change', () => this.apply());
    this.apply();
  }

  choose(choice: ThemeChoice): void {
    this.choice = choice;
    if (choice === 'system') this.env.storage.removeItem(themeStorageKey);
    else this.env.storage.setItem(themeStorageKey, choice);
    this.apply();
  }

  private apply(): void {
    this.shown = this.choice === 'system' ? (this.env.systemDark.matches ? 'dark' : 'light') : this.choice;
    this.env.root.dataset.theme = this.shown;
  }
}
