/** A stand-in for the renderer's API client, and the records it answers with. */
import { defaultGenerationSettings, type Conversation, type Message, type MethodInput, type MethodName, type MethodOutput } from '$api/contract';
import type { HearthApi } from '../../../src-renderer/src/lib/api';

/** The real setTimeout, taken before a test fakes the timers (the stores' own timeouts are the test's to advance). */
const realSetTimeout = globalThis.setTimeout;

/** Lets every promise callback that is ready run: a timeout comes after them all. */
export function settle(): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, 0));
}

/** A call the client was asked to make; it waits until the test answers it or makes it fail. */
export interface FakeCall<K extends MethodName> {
  name: K;
  input: MethodInput<K>;
  answer(output: MethodOutput<K>): Promise<void>;
  fail(error: unknown): Promise<void>;
}

/** A client that records every call and answers only when the test says so, in whatever order it chooses. */
export class FakeApi implements HearthApi {
  readonly transport = 'ipc';
  readonly calls: FakeCall<MethodName>[] = [];

  call<K extends MethodName>(name: K, input: MethodInput<K>): Promise<MethodOutput<K>> {
    return new Promise((resolve, reject) => {
      const call: FakeCall<K> = {
        name,
        input,
        answer: (output) => (resolve(output), settle()),
        fail: (error) => (reject(error), settle())
      };
      this.calls.push(call as unknown as FakeCall<MethodName>);
    });
  }

  /** The stores under test take their events from the tests, not from a subscription. */
  on(): () => void {
    return () => {};
  }

  onConnection(): () => void {
    return () => {};
  }

  /** The calls of one method, oldest first. */
  callsOf<K extends MethodName>(name: K): FakeCall<K>[] {
    return this.calls.filter((call) => call.name === name) as unknown as FakeCall<K>[];
  }

  /** The latest call of one method; fails the test when there was none. */
  last<K extends MethodName>(name: K): FakeCall<K> {
    const call = this.callsOf(name).at(-1);
    if (!call) throw new Error(`${name} was not called`);
    return call;
  }
}

export function conversation(overrides: Partial<Conversation> = {}): Conversation {
  return {
    id: 7,
    title: 'A chat',
    model: 'tiny.gguf',
    systemPrompt: '',
    settings: defaultGenerationSettings,
    chatTemplate: null,
    pinned: false,
    createdAt: 1_000,
    updatedAt: 1_000,
    ...overrides
  };
}

export function message(id: number, overrides: Partial<Message> = {}): Message {
  return {
    id,
    conversationId: 7,
    role: 'assistant',
    content: '',
    thought: '',
    status: 'complete',
    error: null,
    createdAt: 1_000 + id,
    updatedAt: 1_000 + id,
    metrics: null,
    parentId: null,
    siblingIds: [id],
    ...overrides
  };
}
