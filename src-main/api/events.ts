import type { AnyHearthEvent, EventName, Events } from './contract';

export type EventListener = (event: AnyHearthEvent) => void;

/** The main process's one event stream; every transport subscribes to it. */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  emit<K extends EventName>(name: K, payload: Events[K]): void {
    const event = { name, payload } as AnyHearthEvent;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error(`[hearth] event listener failed on ${name}:`, error);
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
