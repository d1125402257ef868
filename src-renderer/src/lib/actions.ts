import { tick } from 'svelte';
import { parseRemoteModelName, type Conversation, type GenerationSettings, type SearchHit } from '$api/contract';
import { api, chat, conversations, engine, errors, search, toast, ui } from './app';
import { downloadText } from './download';
import { focusElement, messageInputId } from './ui.svelte';

/** User-level operations that touch several stores; components call these. */

function applyConversation(conversation: Conversation): void {
  conversations.upsert(conversation);
  chat.setConversation(conversation);
}

export function startNewChat(): void {
  ui.afterSidebarChoice();
  chat.newDraft();
  ui.view = 'chat';
  ui.chatSettingsOpen = false;
  ui.focusMessageId = null;
  // After the chat view has rendered (it may have been the Models view until now).
  void tick().then(() => focusElement(messageInputId));
}

export async function openConversation(id: number): Promise<void> {
  ui.afterSidebarChoice();
  ui.view = 'chat';
  if (chat.conversation?.id === id && !chat.opening) return;
  ui.focusMessageId = null;
  await chat.open(id);
}

export async function openSearchHit(hit: SearchHit): Promise<void> {
  ui.afterSidebarChoice();
  ui.view = 'chat';
  search.clear();
  const opened = await chat.open(hit.conversationId);
  if (opened) ui.focusMessageId = hit.messageId;
}

export async function renameConversation(conversation: Conversation, title: string): Promise<void> {
  const trimmed = title.trim();
  if (!trimmed || trimmed === conversation.title) return;
  try {
    applyConversation(await api.call('conversations.update', { id: conversation.id, title: trimmed }));
  } catch (error) {
    errors.report(error, 'Could not rename the conversation');
  }
}

export async function togglePinned(conversation: Conversation): Promise<void> {
  try {
    applyConversation(await api.call('conversations.update', { id: conversation.id, pinned: !conversation.pinned }));
  } catch (error) {
    errors.report(error, 'Could not pin the conversation');
  }
}

export async function deleteConversation(conversation: Conversation): Promise<void> {
  const wasOpen = chat.conversation?.id === conversation.id;
  try {
    await api.call('conversations.delete', { id: conversation.id });
  } catch (error) {
    errors.report(error, 'Could not delete the conversation');
    return;
  }
  conversations.removeLocal(conversation.id);
  if (wasOpen) startNewChat();
  toast.show(`Deleted “${conversation.title}”`, {
    actionLabel: 'Undo',
    action: async () => {
      try {
        const restored = await api.call('conversations.restore', { id: conversation.id });
        conversations.upsert(restored);
        if (wasOpen && !chat.conversation && chat.messages.length === 0) await chat.open(restored.id);
      } catch (error) {
        errors.report(error, 'Could not restore the conversation');
      }
    }
  });
}

/**
 * Picks the model for the open chat: a local one is loaded first (a remote engine needs nothing here),
 * and only a choice that worked is remembered on the conversation. A failed load keeps the chat's model
 * as it was and re-reads the models folder (the file may be gone).
 */
export async function chooseModel(name: string): Promise<void> {
  if (!name) return;
  if (parseRemoteModelName(name) === null && engine.loadedName !== name && !(await engine.load(name))) {
    await engine.refresh();
    return;
  }
  const conversation = chat.conversation;
  if (conversation) {
    if (conversation.model !== name) {
      try {
        applyConversation(await api.call('conversations.update', { id: conversation.id, model: name }));
      } catch (error) {
        errors.report(error, 'Could not save the model choice');
      }
    }
  } else {
    chat.draft.model = name;
  }
}

/** Saves the chat's system prompt and settings (a new chat keeps them in its draft); throws what fails, for the form to show. */
export async function saveChatSettings(systemPrompt: string, settings: Partial<GenerationSettings>): Promise<void> {
  const conversation = chat.conversation;
  if (!conversation) {
    chat.draft.systemPrompt = systemPrompt;
    chat.draft.settings = { ...chat.draft.settings, ...settings };
    return;
  }
  applyConversation(await api.call('conversations.update', { id: conversation.id, systemPrompt, settings }));
}

/** Makes these settings what new chats start with; throws what fails, for the form to show. */
export async function saveDefaultSettings(settings: Partial<GenerationSettings>): Promise<void> {
  chat.defaults = await api.call('settings.setGenerationDefaults', { settings });
  toast.show('Saved as the default for new chats.');
}

export async function exportConversation(format: 'markdown' | 'json'): Promise<void> {
  const conversation = chat.conversation;
  if (!conversation) return;
  try {
    const file = await api.call('conversations.export', { id: conversation.id, format });
    downloadText(file.filename, file.mimeType, file.content);
  } catch (error) {
    errors.report(error, 'Could not export the conversation');
  }
}

export async function importConversationFile(file: File): Promise<void> {
  try {
    const content = await file.text();
    const conversation = await api.call('conversations.import', { content });
    conversations.upsert(conversation);
    search.clear();
    ui.view = 'chat';
    await chat.open(conversation.id);
  } catch (error) {
    errors.report(error, `Could not import ${file.name}`);
  }
}
