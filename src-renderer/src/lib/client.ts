import { createApi } from './api';

/** The one API client for the whole renderer (IPC in Electron, HTTP + SSE in browser mode). */
export const api = createApi();
