import { Announcer } from './announcer.svelte';
import { createApi } from './api';
import { ApiServerState, HistorySettingsState, NetworkState, RemotesState } from './appSettings.svelte';
import { CalculatorState } from './calculator.svelte';
import { AttachmentsState } from './attachments.svelte';
import { ChatState } from './chat.svelte';
import { ConversationsState } from './conversations.svelte';
import type { Dashboard } from './dashboard.svelte';
import { DemoNoticeState } from './demoNotice.svelte';
import { DocumentsState } from './documents.svelte';
import { ConversationDocumentsState } from './conversationDocuments.svelte';
import { DownloadsState } from './downloads.svelte';
import { EngineState } from './engine.svelte';
import { ErrorState } from './errors.svelte';
import { HubState } from './hub.svelte';
import { InstalledState } from './installed.svelte';
import { ModelLibrary } from './library.svelte';
import { ModelsState } from './models.svelte';
import { NextTokensState, TokenizerState } from './playground.svelte';
import { SearchState } from './search.svelte';
import { ThemeState } from './theme.svelte';
import { ToastState } from './toast.svelte';
import { UiState } from './ui.svelte';
import { UpdatesState } from './updates.svelte';

/*
 * The renderer's one API client (IPC in Electron, HTTP + SSE in browser mode) and the stores bound to
 * it. This is the only place either is created: each store takes the client and the stores it keeps in
 * step with from here, so a test can build one with a client of its own.
 */

export const api = createApi();

export const errors = new ErrorState();
export const toast = new ToastState();
export const announcer = new Announcer();
export const ui = new UiState();
export const theme = new ThemeState({ root: document.documentElement, storage: localStorage, systemDark: matchMedia('(prefers-color-scheme: dark)') });

export const engine = new EngineState(api, errors);
export const conversations = new ConversationsState(api, errors);
export const chat = new ChatState(api, conversations, engine, errors, announcer);
export const search = new SearchState(api, errors);
export const attachments = new AttachmentsState(api, errors);
export const documents = new DocumentsState(api, errors);
export const conversationDocuments = new ConversationDocumentsState(api, errors);
export const demoNotice = new DemoNoticeState(engine, () => chat.model);

export const models = new ModelsState(api, errors);
export const calculator = new CalculatorState(api);
export const installed = new InstalledState(api, chat, engine, errors);
export const downloads = new DownloadsState(api, engine, errors, installed, models, toast);
export const library = new ModelLibrary(api, engine, toast);
export const hub = new HubState(api);

export const tokenizer = new TokenizerState(api);
export const nextTokens = new NextTokensState(api);

export const apiServer = new ApiServerState(api, errors, toast);
export const remotes = new RemotesState(api, errors);
export const network = new NetworkState(api, errors);
export const historySettings = new HistorySettingsState(api, errors);
export const updates = new UpdatesState(api, errors);

let dashboard: Promise<Dashboard> | undefined;

/** The dashboard's stores, made when it first opens: their code loads with the view, not with the chat. */
export function loadDashboard(): Promise<Dashboard> {
  dashboard ??= import('./dashboard.svelte').then(({ Dashboard }) => new Dashboard(api, engine, errors, toast));
  return dashboard;
}
