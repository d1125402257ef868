import type { EngineState } from './engine.svelte';

const storageKey = 'hearth.demoNotice.dismissed';

function readDismissed(): boolean {
  try {
    return localStorage.getItem(storageKey) === '1';
  } catch {
    return false;
  }
}

/**
 * The first-run notice: shown while Hearth's demo model is the only usable model and the chat uses it,
 * until dismissed (remembered).
 */
export class DemoNoticeState {
  dismissed = $state(readDismissed());

  /** Only the demo model is installed (files that cannot be used do not count). */
  demoOnly = $derived.by(() => {
    const usable = this.engine.models.filter((model) => model.usable);
    return usable.length > 0 && usable.every((model) => model.demo);
  });

  visible = $derived.by(() => {
    const current = this.chatModel();
    return this.demoOnly && !this.dismissed && this.engine.models.some((model) => model.demo && model.name === current);
  });

  constructor(
    private readonly engine: EngineState,
    /** The model the chat's next reply uses (ChatState.model). */
    private readonly chatModel: () => string | null
  ) {}

  dismiss(): void {
    this.dismissed = true;
    try {
      localStorage.setItem(storageKey, '1');
    } catch {
      /* storage unavailable (private mode): dismissed for this session only */
    }
  }
}
