import type { AnyHearthEvent, HearthTransport, MethodInput, MethodName, MethodOutput } from '$api/contract';
import { ApiClientError } from './errors';

/** Wraps the preload's `window.hearth` so its failures surface as ApiClientError, like HTTP's. */
export class IpcTransport implements HearthTransport {
  constructor(private readonly bridge: HearthTransport) {}

  async call<K extends MethodName>(name: K, input: MethodInput<K>): Promise<MethodOutput<K>> {
    try {
      return await this.bridge.call(name, input);
    } catch (error) {
      throw ApiClientError.from(error);
    }
  }

  onEvent(listener: (event: AnyHearthEvent) => void): () => void {
    return this.bridge.onEvent(listener);
  }
}
