/** Runs sandboxed in every app window before the page: exposes the contract as `window.hearth`, nothing more. */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createPreloadApi } from './preloadApi';

contextBridge.exposeInMainWorld('hearth', createPreloadApi(ipcRenderer, (file) => webUtils.getPathForFile(file as File)));
