import type { AppInfo, Handlers } from '../api';
import type { HardwareService } from '../hardware';
import type { History } from '../history';
import type { InferenceEngine } from '../inference';
import { listModels, resolveModelFile } from '../models';
import type { ChatService } from './chat';

export interface Services {
  info: AppInfo;
  modelsDir: string;
  history: History;
  engine: InferenceEngine;
  chat: ChatService;
  hardware: HardwareService;
}

/** Every method of the contract, bound to the services; the type makes a missing method a compile error. */
export function createHandlers({ info, modelsDir, history, engine, chat, hardware }: Services): Handlers {
  const store = history.store;
  return {
    'app.info': () => info,
    'models.list': () => listModels(modelsDir),
    'engine.status': () => engine.status(),
    'engine.load': async ({ name }) => engine.load(await resolveModelFile(modelsDir, name), name),
    'engine.unload': () => engine.unload(),
    'hardware.probe': ({ refresh }) => hardware.report(refresh),
    'conversations.list': () => store.listConversations(),
    'conversations.create': (input) => store.createConversation(input),
    'conversations.get': ({ id }) => history.conversationWithMessages(id),
    'conversations.update': ({ id, ...changes }) => store.updateConversation(id, changes),
    'conversations.delete': ({ id }) => {
      chat.stop(id);
      store.trashConversation(id);
      return { id };
    },
    'conversations.restore': ({ id }) => store.restoreConversation(id),
    'conversations.export': ({ id, format }) => history.export(id, format),
    'conversations.import': ({ content }) => history.import(content),
    'history.search': ({ query, limit }) => history.search(query, limit),
    'chat.send': ({ conversationId, content }) => chat.send(conversationId, content),
    'chat.stop': ({ conversationId }) => ({ stopped: chat.stop(conversationId) })
  };
}
