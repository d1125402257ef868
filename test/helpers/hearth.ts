import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyHearthEvent, CallResult, Events, MethodName, MethodOutput } from '../../src-main/api';
import { createHearth, type Hearth } from '../../src-main/app';
import { startOpenAiServer } from '../../src-main/server/openai';
import { stories260K, temporaryDir } from './paths';

export interface TestHearth {
  hearth: Hearth;
  dataDir: string;
  modelsDir: string;
  events: AnyHearthEvent[];
  /** Calls a method and returns its result, failing the test on an error envelope. */
  call<K extends MethodName>(name: K, input?: unknown): Promise<MethodOutput<K>>;
  /** Calls a method and returns the raw envelope. */
  raw(name: unknown, input?: unknown): Promise<CallResult<unknown>>;
  nextEvent<K extends keyof Events>(name: K, where?: (payload: Events[K]) => boolean): Promise<Events[K]>;
  close(): Promise<void>;
}

/** A real Hearth (SQLite file, node-llama-cpp) over temporary folders, with stories260K installed. */
export async function startTestHearth(existingDataDir?: string): Promise<TestHearth> {
  const dir = temporaryDir();
  const dataDir = existingDataDir ?? join(dir.path, 'data');
  const modelsDir = join(dir.path, 'models');
  mkdirSync(modelsDir, { recursive: true });
  copyFileSync(stories260K, join(modelsDir, 'stories260K.gguf'));
  const hearth = await createHearth({ dataDir, modelsDir, databaseFile: join(dataDir, 'history.sqlite') }, { startOpenAiServer });
  const events: AnyHearthEvent[] = [];
  const waiters = new Set<(event: AnyHearthEvent) => void>();
  hearth.events.subscribe((event) => {
    events.push(event);
    for (const waiter of waiters) waiter(event);
  });
  return {
    hearth,
    dataDir,
    modelsDir,
    events,
    async call(name, input = {}) {
      const result = await hearth.router.call(name, input);
      if (!result.ok) throw new Error(`${name} failed: ${result.error.code} ${result.error.message}`);
      return result.result as never;
    },
    raw: (name, input = {}) => hearth.router.call(name, input),
    nextEvent(name, where = () => true) {
      return new Promise((resolve) => {
        const waiter = (event: AnyHearthEvent) => {
          if (event.name === name && where(event.payload as never)) {
            waiters.delete(waiter);
            resolve(event.payload as never);
          }
        };
        waiters.add(waiter);
      });
    },
    async close() {
      await hearth.close();
      dir.remove();
    }
  };
}
