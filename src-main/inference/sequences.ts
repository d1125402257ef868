import { Mutex, Semaphore, type MutexInterface } from 'async-mutex';
import { ApiError } from '../api';

/**
 * Which sequence a run needs: `chat` is sequence 0, whose KV cache carries a conversation from one
 * reply to the next; `api` is any parallel slot, or sequence 0 when the engine has no slots.
 */
export type SequenceKind = 'chat' | 'api';

/** A held sequence: its index in the context (0 is the chat's), until `release` is called once. */
export interface SequenceLease {
  index: number;
  release(): void;
}

/**
 * The locks over a context's sequences: one run per sequence, waiting in arrival order (async-mutex
 * queues fairly, so a model switch waiting for every sequence is not overtaken by later runs). Pool
 * size 1 (the chat's sequence alone) or 1 + N parallel slots; exclusive use takes them all.
 */
export class SequencePool {
  private readonly chat = new Mutex();
  private readonly slots: Semaphore | null;
  private readonly freeSlots: number[];
  private held = 0;

  constructor(readonly slotCount: number) {
    this.slots = slotCount > 0 ? new Semaphore(slotCount) : null;
    this.freeSlots = Array.from({ length: slotCount }, (_, index) => index + 1);
  }

  /** Sequences in use right now. */
  get inUse(): number {
    return this.held;
  }

  /**
   * Waits for a sequence of this kind. A `signal` that aborts while waiting rejects at once; the
   * place in the queue is then passed on as soon as it comes up, so nothing runs for it.
   */
  async acquire(kind: SequenceKind, signal?: AbortSignal): Promise<SequenceLease> {
    signal?.throwIfAborted();
    if (kind === 'api' && this.slots) {
      const release = await untilAcquired(this.slots.acquire().then(([, releaser]) => releaser), signal);
      const index = this.freeSlots.shift()!;
      return this.lease(index, () => {
        this.freeSlots.push(index);
        release();
      });
    }
    return this.lease(0, await untilAcquired(this.chat.acquire(), signal));
  }

  /** Runs `work` with every sequence held, after the runs before it have finished. */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.chat.runExclusive(() => (this.slots ? this.slots.runExclusive(work, this.slotCount) : work()));
  }

  /** Like `exclusive`, but refuses with BUSY (`reason`) when any run holds or waits for a sequence. */
  async exclusiveNow<T>(reason: string, work: () => Promise<T>): Promise<T> {
    // A held slot alone does not lock the semaphore; a load holds the chat's mutex.
    if (this.held > 0 || this.chat.isLocked()) throw new ApiError('BUSY', reason);
    return this.exclusive(work);
  }

  private lease(index: number, release: MutexInterface.Releaser): SequenceLease {
    this.held++;
    let released = false;
    return {
      index,
      release: () => {
        if (released) return;
        released = true;
        this.held--;
        release();
      }
    };
  }
}

/** The lock once it is granted, or a rejection when `signal` aborts first (the grant is then handed straight back). */
function untilAcquired(acquiring: Promise<MutexInterface.Releaser>, signal: AbortSignal | undefined): Promise<MutexInterface.Releaser> {
  if (!signal) return acquiring;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason);
      void acquiring.then((release) => release());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    void acquiring.then((release) => {
      if (signal.aborted) return;
      signal.removeEventListener('abort', onAbort);
      resolve(release);
    });
  });
}
