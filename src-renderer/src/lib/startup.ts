import type { ModelFile } from '$api/contract';
import { startNewChat } from './actions';
import { api, attachments, chat, conversations, documents, downloads, engine, errors, remotes, ui } from './app';
import { focusElement, messageInputId, searchInputId } from './ui.svelte';

/** On a first run, where Hearth's demo model is the only usable one, it is chosen: the first message just works. */
function firstRunModel(models: readonly ModelFile[]): string | null {
  const usable = models.filter((model) => model.usable);
  return usable.length === 1 && usable[0].demo ? usable[0].name : null;
}

/** Subscribes the stores to the API's events and loads the first state. Returns an unsubscribe. */
export function startApp(): () => void {
  let missedEvents = false;
  const unsubscribers = [
    api.on('engine.status', (status) => {
      engine.status = status;
    }),
    api.on('chat.delta', (event) => chat.onDelta(event)),
    api.on('chat.end', (event) => chat.onEnd(event)),
    api.on('downloads.progress', (download) => downloads.apply(download, true)),
    api.on('downloads.changed', (download) => downloads.apply(download, true)),
    api.on('docs.progress', (progress) => {
      documents.progress = progress;
      void attachments.followIndexing();
    }),
    api.on('docs.changed', () => {
      if (ui.view === 'documents') void documents.refresh();
      void attachments.followIndexing();
    }),
    api.on('conversations.changed', ({ conversation }) => {
      conversations.upsert(conversation);
      chat.setConversation(conversation);
    }),
    api.onConnection((state) => {
      ui.connection = state;
      if (state === 'reconnecting') missedEvents = true;
      if (state === 'open' && missedEvents) {
        missedEvents = false;
        errors.reconnected();
        void Promise.all([engine.refresh(), conversations.refresh(), chat.reload(), downloads.refresh(), remotes.load()]);
      }
    })
  ];
  if (api.transport === 'ipc') ui.connection = 'open';
  // The desktop app's menu (File › New chat, Edit › Search) arrives as commands from the preload.
  const menu = window.hearth?.onMenuCommand?.((command) => {
    if (command === 'new-chat') startNewChat();
    else if (command === 'search') focusElement(searchInputId, true);
  });
  if (menu) unsubscribers.push(menu);
  chat.newDraft();
  focusElement(messageInputId);
  void downloads.refresh();
  // The model picker offers the remote engines' models beside the local ones.
  void remotes.load();
  void chat.loadDefaults();
  void Promise.all([engine.refresh(), conversations.refresh()]).then(() => {
    if (!chat.conversation && !chat.draft.model) chat.draft.model = engine.loadedName ?? firstRunModel(engine.models);
  });
  return () => unsubscribers.forEach((unsubscribe) => unsubscribe());
}
