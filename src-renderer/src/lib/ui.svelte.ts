import type { ConnectionState } from './api';

/** The views beside the sidebar. */
export type View = 'chat' | 'models' | 'documents' | 'playground' | 'dashboard' | 'settings';

/** Small pieces of view state shared between components. */
export class UiState {
  /** The main view beside the sidebar: Chat (the default), Models, Documents, Playground, Dashboard or Settings. */
  view = $state<View>('chat');
  /** The chat's gear panel (Chat settings), not the Settings view. */
  chatSettingsOpen = $state(false);
  connection = $state<ConnectionState>('connecting');
  /** A message to scroll to and highlight (set when a search hit is opened). */
  focusMessageId = $state<number | null>(null);
  /** The sidebar is folded away; narrow windows start so, and there it opens over the view. */
  sidebarHidden = $state(isNarrowWindow());

  /** After a choice in the sidebar (a chat, a view): a narrow window folds it away again to show what was chosen. */
  afterSidebarChoice(): void {
    if (isNarrowWindow()) this.sidebarHidden = true;
  }

  /** Closes the chat's gear panel and gives the focus back to its button, where the keyboard was before it opened. */
  closeChatSettings(): void {
    this.chatSettingsOpen = false;
    focusElement(chatSettingsButtonId);
  }
}

/** The width below which the sidebar would leave the view too little room beside it (App.svelte's media query). */
export const narrowWindowQuery = '(max-width: 760px)';

function isNarrowWindow(): boolean {
  return typeof matchMedia === 'function' && matchMedia(narrowWindowQuery).matches;
}

export function focusElement(id: string, select = false): void {
  const element = document.getElementById(id);
  if (element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement) {
    element.focus();
    if (select) element.select();
  } else {
    element?.focus();
  }
}

export const searchInputId = 'search-input';
/** The search results' list, which the search box controls. */
export const searchResultsId = 'search-results';
export const searchHitId = (messageId: number): string => `search-hit-${messageId}`;
export const messageInputId = 'message-input';
export const chatSettingsButtonId = 'chat-settings-button';
/** The line that tells how to reach a conversation's actions from the keyboard. */
export const conversationKeysId = 'conversation-keys';
/** The view beside the sidebar, where the skip link goes. */
export const mainId = 'main-content';
