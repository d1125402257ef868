/**
 * Names shared by the main process and the preload. This module must stay free of Electron and
 * Node imports: the sandboxed preload bundles it, and the renderer may import its types.
 */
export const ipcChannels = {
  /** Renderer → main: `invoke(call, name, input)`, answered with the router's envelope. */
  call: 'hearth:call',
  /** Main → renderer: one contract event per message. */
  event: 'hearth:event',
  /** Main → renderer: a command chosen in the application menu. */
  menu: 'hearth:menu'
} as const;

export const menuCommands = ['new-chat', 'search'] as const;
export type MenuCommand = (typeof menuCommands)[number];

export function isMenuCommand(value: unknown): value is MenuCommand {
  return typeof value === 'string' && (menuCommands as readonly string[]).includes(value);
}
