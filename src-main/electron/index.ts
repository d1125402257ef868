/** What the CLI starts the desktop app with; the rest of this folder runs inside Electron. */
export { launchDesktop, launchDevelopment } from './launcher';
