import { parseRemoteModelName } from '$api/contract';
import type { EngineState } from './engine.svelte';

const isRemote = (model: string) => parseRemoteModelName(model) !== null;

const storageKey = 'hearth.demoNotice.dismissed';

function readDismissed(): boolean {
  try {
    return localStorage.getItem(storageKey) === '1';
  } catch {
    return false;
  }
}

/**
 * The first-run notice: shown while Hearth's demo model is the only usable model and the chat uses no
 * other (a remote engine's), until dismissed (remembered).
 */
export class DemoNoticeState {
  dismissed = $state(readDismissed());

  /** Only the demo model is installed (files that cannot be used do not count). */
  demoOnly = $derived.by(() => {
    const usable = this.engine.models.filter((model) => model.usable);
    return usable.length > 0 && usable.every((model) => model.demo);
  });

  /** Hidden while the chat uses a remote engine's model: the only real model it could use instead. */
  visible = $derived.by(() => {
    const current = this.chatModel();
    return this.demoOnly && !this.dismissed && !(current !== null && isRemote(current));
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
