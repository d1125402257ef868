import type { EngineState } from './engine.svelte';

const storageKey = 'hearth.demoNotice.dismissed';

function readDismissed(): boolean {
  try {
    return localStorage.getItem(storageKey) === '1';
  } catch {
    return false;
  }
}

/** The first-run notice: shown while Hearth's demo model is the only usable model, until dismissed (remembered). */
export class DemoNoticeState {
  dismissed = $state(readDismissed());

  /** Only the demo model is installed (files that cannot be used do not count). */
  demoOnly = $derived.by(() => {
    const usable = this.engine.models.filter((model) => model.usable);
    return usable.length > 0 && usable.every((model) => model.demo);
  });

  visible = $derived(this.demoOnly && !this.dismissed);

  constructor(private readonly engine: EngineState) {}

  dismiss(): void {
    this.dismissed = true;
    try {
      localStorage.setItem(storageKey, '1');
    } catch {
      /* storage unavailable (private mode): dismissed for this session only */
    }
  }
}
